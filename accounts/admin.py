from django.contrib import admin

from .forms import AdminSignInForm

# The admin's sign-in is limited and checks the username's length like the shop's (forms.py, limits.py).
admin.site.login_form = AdminSignInForm
