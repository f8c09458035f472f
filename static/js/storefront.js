// Storefront's few behaviours beyond htmx. No inline scripts, no eval: CSP-clean.
// Everything here is an enhancement; every page works without it.
(function () {
  "use strict";

  const body = document.body || document.documentElement;

  function announce(message) {
    const region = document.getElementById("announcer");
    if (region && message) region.textContent = message;
  }

  // 1. Before each htmx request: keep GET URLs short by dropping empty filter fields.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb === "get") {
      const params = event.detail.parameters;
      Array.from(params.keys ? params.keys() : Object.keys(params)).forEach(function (key) {
        if (params.get ? params.get(key) === "" : params[key] === "") delete params[key];
      });
    }
  });

  // 2. After a swap: announce the catalog's result count, and put focus where a keyboard user
  //    expects it. htmx itself keeps focus on an element whose id comes back (the button that was
  //    pressed, the quantity box); when the element is gone (a removed line, a pagination link),
  //    focus goes to the nearest thing that is still there, never to <body> or a hidden heading.
  let usedRow = -1;  // the table row the request came from, if any (a cart line)
  let usedId = "";  // the id of the element that had focus when the request was sent
  document.addEventListener("htmx:beforeRequest", function (event) {
    const row = event.detail.elt.closest ? event.detail.elt.closest("tr") : null;
    usedRow = row && row.parentElement ? Array.prototype.indexOf.call(row.parentElement.children, row) : -1;
    // Read before hx-disabled-elt disables the button, which takes the focus away from it.
    usedId = document.activeElement && document.activeElement !== body ? document.activeElement.id : "";
  });
  function visible(element) {
    return element && element.getClientRects().length > 0 && !element.closest(".visually-hidden");
  }
  function focusTarget(region) {
    const again = usedId ? document.getElementById(usedId) : null;
    if (visible(again)) return again;
    const rows = region.querySelectorAll("tbody tr");
    if (usedRow >= 0 && rows.length) {
      const row = rows[Math.min(usedRow, rows.length - 1)];
      const control = row.querySelector("input:not([type=hidden]), button");
      if (visible(control)) return control;
    }
    const candidates = region.querySelectorAll("[tabindex='-1'], a[href], button, input:not([type=hidden])");
    return Array.prototype.find.call(candidates, visible) || null;
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    let target = event.detail.target;
    // An outerHTML swap replaced the target: continue with the element that took its place.
    if (target && !target.isConnected && target.id) target = document.getElementById(target.id);
    if (!target || !target.isConnected) return;
    if (target.dataset && target.dataset.announce) announce(target.dataset.announce);
    // A refused form's reasons take the focus whatever has it: a live field check that settled
    // between this swap and its settling may have put it on a field of the new form.
    const reasons = target.matches("[data-scroll-into-view]") ? target : target.querySelector("[data-scroll-into-view]");
    if (visible(reasons)) {
      reasons.focus({ preventScroll: true });
      reasons.scrollIntoView({ block: "center" });  // where the shopper looks
      return;
    }
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) {
      const next = target.hasAttribute("tabindex") && visible(target) ? target : focusTarget(target);
      if (next) next.focus({ preventScroll: true });
    }
  });

  // 3. While a request runs, the region it will update says it is busy (aria-busy), and the control
  //    that sent it shows it (htmx-request, site.css) and is disabled (hx-disabled-elt).
  document.addEventListener("htmx:beforeRequest", function (event) {
    const target = event.detail.target;
    if (target && target.setAttribute) target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const target = event.detail.target;
    if (target && target.removeAttribute) target.removeAttribute("aria-busy");
    const replaced = target && target.id ? document.getElementById(target.id) : null;
    if (replaced) replaced.removeAttribute("aria-busy");
  });

  // 3a. A double click on "Add to cart" adds once. Its second click often lands on the button the
  //     first one's answer put in place, so it is recognised by what the browser counts (detail 2:
  //     the second click of a double click), not by the button. A second click of its own counts.
  document.addEventListener("click", function (event) {
    if (event.detail > 1 && event.target.closest(".add-to-cart button[type=submit]")) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // 4. A request that failed outright (network, 5xx, 403…): say so instead of doing nothing.
  function showProblem(text) {
    let box = document.getElementById("request-problem");
    if (!box) {
      box = document.createElement("p");
      box.id = "request-problem";
      box.className = "message message-error";
      box.setAttribute("role", "alert");
      const main = document.getElementById("main");
      if (main) main.prepend(box);
    }
    box.textContent = text;
  }
  // The words come from the server, in the page's language (data-error-* on <body>, base.html).
  function said(name) {
    return document.body.dataset[name] || "";
  }
  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    showProblem(status === 403
      ? said("errorSession")
      : said("errorStatus").replace("{status}", String(status)));
  });
  document.addEventListener("htmx:sendError", function () {
    showProblem(said("errorNetwork"));
  });

  // 5. The header's "Sign in" and "Create account" links bring the shopper back to where they
  //    are, and the footer's language switch to the same page in the other language: keep their
  //    `next` in step with the URL that htmx pushed (filters, pages).
  function followUrlInAccountLinks() {
    const here = window.location.pathname + window.location.search;
    document.querySelectorAll(".site-nav a[href*='next=']").forEach(function (link) {
      const url = new URL(link.href);
      url.searchParams.set("next", here);
      link.href = url.pathname + url.search;
    });
    document.querySelectorAll("form.language-switch").forEach(function (form) {
      const from = form.dataset.currentPrefix;
      const rest = from && here.startsWith(from + "/") ? here.slice(from.length) : here;
      form.elements.next.value = form.dataset.prefix + rest;
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", followUrlInAccountLinks);
  document.addEventListener("htmx:replacedInHistory", followUrlInAccountLinks);

  // 6. The mini-cart behind the header's Cart link: a disclosure that closes on a second
  //    click, on Escape, on its Close button and on a click elsewhere.
  function miniCartLink() { return document.getElementById("cart-link"); }
  function closeMiniCart(returnFocus) {
    const panel = document.getElementById("mini-cart");
    const link = miniCartLink();
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    panel.replaceChildren();
    if (link) {
      link.setAttribute("aria-expanded", "false");
      if (returnFocus) link.focus();
    }
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    const panel = document.getElementById("mini-cart");
    if (event.detail.elt === miniCartLink() && panel && !panel.hidden) {
      event.preventDefault();
      closeMiniCart(true);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    const panel = document.getElementById("mini-cart");
    if (event.detail.target && event.detail.target.id === "mini-cart" && panel && !panel.hidden) {
      const link = miniCartLink();
      if (link) link.setAttribute("aria-expanded", "true");
      panel.focus();
    }
  });
  document.addEventListener("click", function (event) {
    const panel = document.getElementById("mini-cart");
    if (!panel || panel.hidden) return;
    if (event.target.closest("[data-mini-cart-close]")) {
      closeMiniCart(true);
    } else if (!panel.contains(event.target) && !event.target.closest("#cart-link")) {
      closeMiniCart(false);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMiniCart(true);
  });

  // 7. Back and Forward: a page shown again from the back/forward cache (its memory of the page) or
  //    from the HTTP cache may show an older cart. Its cart regions are fetched again as they are now.
  window.addEventListener("pageshow", function (event) {
    const entry = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    const fromCache = entry && entry.type === "back_forward" && entry.transferSize === 0;
    const link = document.getElementById("cart-link");
    if ((event.persisted || fromCache) && link && window.htmx) {
      // From the page itself, not from the Cart link: a request of the link's own opens the mini-cart.
      // The page names its regions (cart/regions.py knows them by id); each comes back out of band.
      const ids = Array.from(document.querySelectorAll("[data-cart-region]"))
        .map(function (el) { return el.id; })
        .filter(Boolean);
      htmx.ajax("GET", link.dataset.regionsUrl, { source: body, swap: "none", values: { region: ids } });
    }
  });

  body.classList.add("js");
})();
