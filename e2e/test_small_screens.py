"""Small screens and large text: the catalog puts products first on a phone, and no page scrolls
sideways at any text size (issue 13, finding 11)."""

from playwright.sync_api import Page, expect

from .pages import CartPage, CatalogPage, CheckoutPage, ProductPage


def boxes_overlap(first: dict, second: dict) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


def test_on_a_phone_the_filters_fold_away_and_the_products_come_first(
    page: Page, shop, javascript, viewport, assert_accessible
):
    catalog = CatalogPage(page, javascript=javascript).goto("category=kitchen")
    summary = page.locator("#filters .filters-disclosure > summary")
    if viewport == "phone":
        expect(summary).to_have_text("Filters (1 active)")
        expect(catalog.category).to_be_hidden()  # folded away, and it unfolds without JavaScript
        first, second = catalog.product_names.nth(0), catalog.product_names.nth(1)
        expect(first).to_be_in_viewport()  # the products start on the first screen
        assert first.bounding_box()["y"] == second.bounding_box()["y"], "two products a row"
        summary.click()
        expect(catalog.category).to_be_visible()
    else:
        expect(summary).to_be_hidden()  # a wide screen shows the panel open, under its heading
        expect(page.get_by_role("heading", name="Filters", exact=True)).to_be_visible()
    expect(catalog.category).to_have_value("kitchen")
    assert_accessible(page)

    catalog.choose_category("All categories")
    expect(catalog.result_count).to_have_text("39 products, showing 1–24")
    catalog.choose_category("Outdoors")
    expect(catalog.result_count).to_have_text("5 products in Outdoors")
    if viewport == "phone":
        expect(summary).to_have_text("Filters (1 active)")
        catalog.remove_filter_link("Category: Outdoors").click()
        expect(summary).to_have_text("Filters")
    assert_accessible(page)


def test_no_page_scrolls_sideways_with_text_twice_as_large_on_a_small_phone(page: Page, tea_shop, javascript):
    page.set_viewport_size({"width": 375, "height": 812})
    # The browser's own text size (not zoom): what a shopper with "Very large" text sees.
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    product = ProductPage(page, javascript=javascript).goto_product(tea_shop["Teapot"].get_absolute_url())
    product.add_to_cart()
    product.header.expect_cart_count(1)
    pages = {
        "catalog": lambda: CatalogPage(page, javascript=javascript).goto(),
        "product": lambda: ProductPage(page, javascript=javascript).goto_product(tea_shop["Kettle"].get_absolute_url()),
        "cart": lambda: CartPage(page, javascript=javascript).goto(),
        "checkout": lambda: CheckoutPage(page, javascript=javascript).goto(),
    }
    for name, open_page in pages.items():
        open_page()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"{name} scrolls sideways by {width[0] - width[1]} px"
        brand = page.get_by_role("banner").get_by_role("link", name="Storefront").bounding_box()
        for link in page.get_by_role("navigation", name="Account").get_by_role("link").all():
            assert not boxes_overlap(brand, link.bounding_box()), f"{name}: a header link covers the store name"
