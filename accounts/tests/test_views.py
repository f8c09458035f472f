"""The account pages: sign up, sign in and its limits, the sign-in link, password change and reset."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.emails import sign_in_link_tokens
from accounts.models import RateLimitHit
from storefront.tests.factories import make_user

pytestmark = pytest.mark.django_db

User = get_user_model()

SIGNUP_URL = reverse("signup")
LOGIN_URL = reverse("login")
LINK_URL = reverse("sign_in_link")
HOME_URL = reverse("storefront:product_list")  # settings.LOGIN_REDIRECT_URL and LOGOUT_REDIRECT_URL
NEW_PASSWORD = "plum-tree-orbit-47"


def signup_data(**changes: str) -> dict[str, str]:
    data = {"username": "ann", "email": "ann@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    data.update(changes)
    return data


def signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def main_content(html: str) -> str:
    """The page without its header and footer (whose "Sign in" link and language switch carry the current URL)."""
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def hidden_next(html: str) -> str:
    return re.search(r'<input type="hidden" name="next" value="([^"]*)"', html).group(1)


# --- Sign up -----------------------------------------------------------------------------------


def test_signup_page_is_a_form_with_a_label_for_every_field(client):
    response = client.get(SIGNUP_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{SIGNUP_URL}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for name in ("username", "email", "password1", "password2"):
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html
    assert 'autocomplete="email"' in html
    assert 'id="id_password1_helptext"' in html  # the password rules


def test_signup_creates_the_account_signs_in_and_redirects_303(client, mailoutbox, run_jobs):
    response = client.post(SIGNUP_URL, signup_data())
    assert response.status_code == 303
    assert response["Location"] == HOME_URL
    user = User.objects.get(username="ann")
    assert user.email == "ann@example.com"
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_user_id(client) == str(user.pk)
    assert "We’ve sent an email to the address you entered" in client.get(HOME_URL).content.decode()
    run_jobs()
    assert [(email.to, email.subject) for email in mailoutbox] == [(["ann@example.com"], "Welcome to Storefront")]
    assert "your account is ready" in mailoutbox[0].body


@pytest.mark.parametrize("email", ["Ann@Example.com", "ANN@EXAMPLE.COM"])
def test_signup_with_a_known_email_answers_like_a_new_one_and_emails_the_owner(email, mailoutbox, run_jobs):
    """Issue 20, item 7: sign-up said "An account with this email already exists"."""
    make_user(username="first", email="ann@example.com")
    new, known = Client(), Client()
    new_answer = new.post(SIGNUP_URL, signup_data(username="bea", email="bea@example.com"), REMOTE_ADDR="10.7.0.1")
    known_answer = known.post(SIGNUP_URL, signup_data(email=email), REMOTE_ADDR="10.7.0.2")

    assert (known_answer.status_code, known_answer["Location"]) == (new_answer.status_code, new_answer["Location"])
    assert known_answer.status_code == 303
    new_page, known_page = (main_content(browser.get(HOME_URL).content.decode()) for browser in (new, known))
    assert known_page == new_page
    assert "We’ve sent an email to the address you entered: please check your inbox." in known_page
    # No second account for the address; the new address has its account, signed in.
    assert not User.objects.filter(username="ann").exists()
    assert signed_in_user_id(known) is None
    assert signed_in_user_id(new) == str(User.objects.get(username="bea").pk)

    run_jobs()
    notice = next(message for message in mailoutbox if message.to == ["ann@example.com"])
    assert notice.subject == "You already have an account at Storefront"
    assert "It already belongs to your account, first, so no second account was made." in notice.body
    for url in (LOGIN_URL, reverse("password_reset"), LINK_URL):
        assert f"http://testserver{url}\n" in notice.body
    assert [message.subject for message in mailoutbox if message.to == ["bea@example.com"]] == ["Welcome to Storefront"]


def test_a_taken_username_is_said_alike_whether_or_not_the_email_is_known(client):
    make_user(username="ann", email="ann@example.com")
    answers = [
        client.post(SIGNUP_URL, signup_data(username="ANN", email=email))
        for email in ("ann@example.com", "someone.new@example.com")
    ]
    assert [answer.status_code for answer in answers] == [422, 422]
    known, new = (
        re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", main_content(a.content.decode())) for a in answers
    )
    assert known.replace("ann@example.com", "") == new.replace("someone.new@example.com", "")
    assert 'id="id_username_error">A user with that username already exists.' in known
    assert "email" not in known.split('id="id_username_error">', 1)[1].split("</p>", 1)[0]
    assert User.objects.count() == 1


def test_the_owner_of_a_known_email_hears_of_a_few_sign_ups_an_hour_at_most(settings, mailoutbox, run_jobs):
    settings.SIGNUP_NOTICE_RATE_LIMIT = 2
    make_user(username="ann", email="ann@example.com")
    answers = [
        Client().post(SIGNUP_URL, signup_data(username=f"ann{n}"), REMOTE_ADDR=f"10.7.1.{n}").status_code
        for n in range(4)
    ]
    assert answers == [303] * 4  # the same answer all along: a refusal would say the address is known
    run_jobs()
    assert len(mailoutbox) == 2


def test_signup_refuses_mismatched_passwords(client):
    response = client.post(SIGNUP_URL, signup_data(password2="something-else-entirely"))
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_password2_error">The two password fields didn’t match.' in html
    assert 'value="ann@example.com"' in html  # what was typed is kept
    assert not User.objects.filter(username="ann").exists()


def test_signup_refuses_a_username_taken_in_another_case(client):
    make_user(username="Ann")
    response = client.post(SIGNUP_URL, signup_data(username="ann"))
    assert response.status_code == 422
    assert 'id="id_username_error">A user with that username already exists.' in response.content.decode()


def test_signup_stores_the_email_with_its_domain_in_lower_case(client):
    client.post(SIGNUP_URL, signup_data(email="Ann.Lee@Example.COM"))
    assert User.objects.get(username="ann").email == "Ann.Lee@example.com"


def test_signup_goes_on_to_a_safe_next(client):
    response = client.post(SIGNUP_URL, signup_data(next="/cart/?from=signup"))
    assert response.status_code == 303
    assert response["Location"] == "/cart/?from=signup"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_signup_never_redirects_off_site(client, next_url):
    response = client.post(SIGNUP_URL, signup_data(next=next_url))
    assert response.status_code == 303
    assert response["Location"] == HOME_URL


def test_signup_page_carries_only_a_safe_next(client):
    html = client.get(SIGNUP_URL, {"next": "/cart/"}).content.decode()
    assert hidden_next(html) == "/cart/"
    assert f'href="{LOGIN_URL}?next=/cart/"' in html
    html = client.get(SIGNUP_URL, {"next": "https://evil.example/"}).content.decode()
    assert hidden_next(html) == ""
    assert "evil.example" not in main_content(html)


def test_signed_in_visitor_is_sent_on_from_signup(client):
    client.force_login(make_user())
    response = client.get(SIGNUP_URL)
    assert response.status_code == 303
    assert response["Location"] == HOME_URL
    assert client.get(SIGNUP_URL, {"next": "/cart/"})["Location"] == "/cart/"
    assert User.objects.count() == 1


# --- Sign in and sign out ---------------------------------------------------------------------


def test_login_page_links_to_signup_and_password_reset(client):
    html = client.get(LOGIN_URL, {"next": "/cart/"}).content.decode()
    assert f'href="{SIGNUP_URL}?next=/cart/">Create an account</a>' in html
    assert f'href="{reverse("password_reset")}">Forgot your password?</a>' in html


def test_login_errors_are_tied_to_their_fields(client):
    html = client.post(LOGIN_URL, {"username": "", "password": ""}).content.decode()
    assert '<p class="field-error" id="id_username_error">This field is required.</p>' in html
    assert re.search(r'<input type="text" name="username"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input type="text" name="username"[^>]*aria-describedby="id_username_error"', html)


def test_login_with_a_wrong_password_shows_the_form_error(client):
    make_user(username="ann")
    html = client.post(LOGIN_URL, {"username": "ann", "password": "wrong"}).content.decode()
    assert '<div class="message message-error" role="alert">Please enter a correct username and password.' in html
    assert signed_in_user_id(client) is None


def test_logout_is_post_only(client):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in_user_id(client) == str(user.pk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    assert signed_in_user_id(client) is None


# --- Sign-in failures per address, across accounts -------------------------------------------------


def sign_in(browser: Client, username: str, password: str, *, address: str = "10.8.0.1"):
    return browser.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_one_address_spraying_passwords_over_many_accounts_is_refused_after_the_limit(settings):
    """Issue 20, item 5: one password on each of 60 accounts got 60 answers of 200 and never a 429, and the
    fourth password tried signed in to a real account."""
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    for n in range(60):
        make_user(username=f"user{n}", password="letmein" if n == 7 else f"long-and-unguessable-{n}")
    attacker = Client()
    answers = [
        sign_in(attacker, f"user{n}", guess) for guess in ("123456", "password", "qwerty", "letmein") for n in range(60)
    ]

    statuses = [answer.status_code for answer in answers]
    assert statuses == [200] * limit + [429] * (240 - limit)
    refused = answers[-1]
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    assert "Too many failed sign-ins came from your network in the last hour" in refused.content.decode()
    assert "Please try again in 60 minutes." in refused.content.decode()
    assert signed_in_user_id(attacker) is None
    assert RateLimitHit.objects.filter(action="sign_in_failure").count() == limit  # refusals are not counted


def test_only_failed_sign_ins_count_towards_the_address_limit(settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    make_user(username="ann", password="correct-horse-battery")
    make_user(username="bob", password="battery-staple-horse")
    browser = Client()
    assert [sign_in(browser, "bob", "wrong").status_code for _ in range(2)] == [200, 200]
    assert sign_in(browser, "ann", "correct-horse-battery").status_code == 302  # gives its claim back
    browser.post(reverse("logout"))
    assert sign_in(browser, "bob", "wrong").status_code == 200  # the third failure
    # The limit is reached: not even the right password is checked, and refusals do not count.
    for _ in range(3):
        assert sign_in(browser, "bob", "battery-staple-horse").status_code == 429
    assert RateLimitHit.objects.filter(action="sign_in_failure").count() == 3
    # An hour after the first failure, one attempt is heard again.
    first = RateLimitHit.objects.filter(action="sign_in_failure").order_by("at").first()
    RateLimitHit.objects.filter(pk=first.pk).update(at=timezone.now() - timedelta(hours=1, seconds=1))
    assert sign_in(browser, "bob", "battery-staple-horse").status_code == 302


def test_a_browser_the_account_signed_in_on_is_not_held_up_by_its_network(settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 2
    make_user(username="ann", password="correct-horse-battery")
    owner = Client()
    assert sign_in(owner, "ann", "correct-horse-battery").status_code == 302
    owner.post(reverse("logout"))
    for n in range(2):
        sign_in(Client(), f"someone{n}", "wrong")  # a colleague behind the same address, or a guesser
    assert sign_in(Client(), "ann", "correct-horse-battery").status_code == 429
    assert sign_in(owner, "ann", "correct-horse-battery").status_code == 302


def test_an_ipv6_network_counts_as_one_address(settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 2
    for address in ("2001:db8::1", "2001:db8::2"):
        assert sign_in(Client(), "ann", "wrong", address=address).status_code == 200
    assert sign_in(Client(), "ann", "wrong", address="2001:db8::ffff:1").status_code == 429
    assert sign_in(Client(), "ann", "wrong", address="2001:db8:0:1::1").status_code == 200  # another /64


# --- Sign-in links by email --------------------------------------------------------------------------


def emailed_link(mailoutbox, to: str) -> str:
    [email] = [message for message in mailoutbox if message.to == [to]]
    return re.search(r"http://testserver(/accounts/login/link/\S+/)", email.body).group(1)


def test_the_owner_of_an_attacked_account_signs_in_from_a_new_device_with_an_emailed_link(
    settings, mailoutbox, run_jobs
):
    settings.SIGN_IN_SLOWDOWN_AFTER = 4
    make_user(username="ann", email="ann@example.com", password="correct-horse-battery")
    for n in range(8):  # a guesser on many addresses keeps taking every pause
        sign_in(Client(), "ann", "wrong", address=f"10.9.0.{n}")
    owner = Client()
    refused = sign_in(owner, "ann", "correct-horse-battery", address="10.9.1.1")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "10"
    assert f'<form method="post" action="{LINK_URL}"' in refused.content.decode()
    assert "Email me a sign-in link" in refused.content.decode()

    response = owner.post(LINK_URL, {"email": "ANN@example.com"}, REMOTE_ADDR="10.9.1.1")
    assert (response.status_code, response["Location"]) == (303, reverse("sign_in_link_sent"))
    assert "we’ve sent it a sign-in link" in owner.get(response["Location"]).content.decode()
    assert mailoutbox == []  # the email is the worker's job, on the queue of what shoppers wait for
    [job] = run_jobs()
    assert (job.task_path, job.queue_name) == ("accounts.tasks.sign_in_link_send", "urgent")
    assert mailoutbox[0].subject == "Your sign-in link for Storefront"
    assert "The link works once, for 15 minutes." in mailoutbox[0].body
    link = emailed_link(mailoutbox, "ann@example.com")

    # Opening the link only shows a button (mail scanners open links too); the button signs in.
    page = owner.get(link)
    assert page.status_code == 200
    assert "This link signs you in as ann on this device." in page.content.decode()
    assert signed_in_user_id(owner) is None
    response = owner.post(link)
    assert (response.status_code, response["Location"]) == (303, HOME_URL)
    assert signed_in_user_id(owner) == str(User.objects.get(username="ann").pk)
    # This browser is now one ann signed in on: the slow-down no longer holds it up.
    owner.post(reverse("logout"))
    assert sign_in(owner, "ann", "correct-horse-battery", address="10.9.1.1").status_code == 302


def test_a_sign_in_link_works_once(client, mailoutbox, run_jobs):
    make_user(username="ann", email="ann@example.com")
    client.post(LINK_URL, {"email": "ann@example.com"})
    run_jobs()
    link = emailed_link(mailoutbox, "ann@example.com")
    assert client.post(link).status_code == 303
    client.post(reverse("logout"))

    for answer in (client.get(link), client.post(link)):
        assert answer.status_code == 400
        assert "Sign-in link not valid" in answer.content.decode()
    assert signed_in_user_id(client) is None


def test_an_expired_or_broken_sign_in_link_is_a_clear_400_that_offers_a_new_one(client, monkeypatch):
    ann = make_user(username="ann", email="ann@example.com")
    ann_uid = urlsafe_base64_encode(force_bytes(ann.pk))
    token = sign_in_link_tokens.make_token(ann)
    good = reverse("sign_in_link_confirm", args=[ann_uid, token])
    broken = [
        reverse("sign_in_link_confirm", args=[ann_uid, token[:-1] + ("0" if token[-1] != "0" else "1")]),
        reverse("sign_in_link_confirm", args=[urlsafe_base64_encode(b"999"), token]),
        reverse("sign_in_link_confirm", args=["!!not-base64!!", token]),
        reverse("sign_in_link_confirm", args=[urlsafe_base64_encode(b"abc"), token]),
        reverse("sign_in_link_confirm", args=[urlsafe_base64_encode(b"9" * 40), token]),
        reverse("sign_in_link_confirm", args=[urlsafe_base64_encode(b"\xff\xfe"), token]),
        reverse("sign_in_link_confirm", args=[ann_uid, "not-a-token"]),
    ]
    for url in broken:
        for answer in (client.get(url), client.post(url)):
            html = answer.content.decode()
            assert answer.status_code == 400, url
            assert "This sign-in link doesn’t work any more" in html
            assert f'<form method="post" action="{LINK_URL}"' in html
    assert client.get(good).status_code == 200

    later = sign_in_link_tokens._now() + timedelta(minutes=16)
    monkeypatch.setattr(sign_in_link_tokens, "_now", lambda: later)
    assert client.get(good).status_code == 400
    assert client.post(good).status_code == 400
    assert signed_in_user_id(client) is None


def test_asking_for_a_sign_in_link_answers_the_same_for_any_address(mailoutbox, run_jobs):
    make_user(username="ann", email="ann@example.com")
    known = Client().post(LINK_URL, {"email": "ann@example.com"}, REMOTE_ADDR="10.9.2.1")
    unknown = Client().post(LINK_URL, {"email": "nobody@example.com"}, REMOTE_ADDR="10.9.2.2")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(run_jobs()) == 2  # the same work: one job each
    assert [email.to for email in mailoutbox] == [["ann@example.com"]]


def test_sign_in_link_requests_are_limited_per_address_and_per_email(settings, run_jobs):
    settings.SIGN_IN_LINK_RATE_LIMIT, settings.SIGN_IN_LINK_ACCOUNT_RATE_LIMIT = 3, 2
    per_email = [
        Client().post(LINK_URL, {"email": "ann@example.com"}, REMOTE_ADDR=f"10.9.3.{n}").status_code for n in range(3)
    ]
    assert per_email == [303, 303, 429]
    browser = Client()
    per_address = [
        browser.post(LINK_URL, {"email": f"user{n}@example.com"}, REMOTE_ADDR="10.9.4.1").status_code for n in range(4)
    ]
    assert per_address == [303, 303, 303, 429]
    response = browser.post(LINK_URL, {"email": "user9@example.com"}, REMOTE_ADDR="10.9.4.1")
    assert "Too many sign-in links were asked for" in response.content.decode()
    assert len(run_jobs()) == 5


def test_the_sign_in_link_form_says_what_is_wrong_with_an_address(client):
    assert client.get(LINK_URL).status_code == 200
    response = client.post(LINK_URL, {"email": "not-an-address"})
    assert response.status_code == 422
    assert 'id="id_email_error">Enter a valid email address.' in response.content.decode()


def test_the_sign_in_page_offers_a_sign_in_link(client):
    html = main_content(client.get(LOGIN_URL).content.decode())
    assert f'<form method="post" action="{LINK_URL}"' in html
    assert '<label for="id_email">Email</label>' in html
    assert "Email me a sign-in link" in html


# --- Password change -----------------------------------------------------------------------------


def test_password_change_requires_sign_in(client):
    url = reverse("password_change")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={url}"


def test_password_change_sets_the_new_password_and_keeps_the_visitor_signed_in(client):
    user = make_user(username="ann", password="correct-horse-battery")
    client.force_login(user)
    url = reverse("password_change")
    html = client.get(url).content.decode()
    assert f'<form method="post" action="{url}"' in html
    assert '<label for="id_old_password">' in html

    response = client.post(
        url, {"old_password": "correct-horse-battery", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    done = client.get(response["Location"])
    assert done.status_code == 200  # still signed in: the done page needs a login
    assert "Password changed" in done.content.decode()


def test_password_change_refuses_a_wrong_old_password(client):
    user = make_user(password="correct-horse-battery")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert 'id="id_old_password_error">Your old password was entered incorrectly.' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_admin_password_change_still_posts_to_the_admin(client):
    # Django's admin renders registration/password_change_form.html too.
    client.force_login(make_user(is_staff=True))
    html = client.get(reverse("admin:password_change")).content.decode()
    assert f'<form method="post" action="{reverse("admin:password_change")}"' in html


# --- Password reset ------------------------------------------------------------------------------


def test_password_reset_emails_a_link_that_sets_a_new_password(client, mailoutbox, run_jobs):
    user = make_user(username="ann", email="ann@example.com")
    response = client.post(reverse("password_reset"), {"email": "ANN@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []  # the email is the worker's job, not the request's
    run_jobs()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["ann@example.com"]
    assert email.subject == "Reset your password at testserver"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)

    set_password_url = client.get(link)["Location"]  # Django moves the token into the session
    html = client.get(set_password_url).content.decode()
    assert "Choose a new password" in html
    assert '<label for="id_new_password1">' in html
    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert f'href="{LOGIN_URL}"' in client.get(response["Location"]).content.decode()
    # The link works only once.
    assert "Reset link not valid" in client.get(link).content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []
    assert "If an account uses the address you entered" in client.get(response["Location"]).content.decode()


def test_a_broken_reset_link_offers_a_new_one(client):
    url = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-token"})
    html = client.get(url).content.decode()
    assert "Reset link not valid" in html
    assert "<form" not in main_content(html)
    assert f'href="{reverse("password_reset")}">Request a new link</a>' in html
