"""On a 390 px phone the case page fits the screen (wide tables scroll inside themselves), and the
keyboard focus ring stands out at least 3:1 from what surrounds it (WCAG 1.4.11), on the light page
and on the dark navigation bar alike."""

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import log_in
from tests.helpers import db_session

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

# The ring's contrast with the colour behind the focused element (its nearest painted ancestor),
# computed as WCAG does from the computed styles.
FOCUS_RING = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const behind = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const [a, b] = [luminance(rgb(style.outlineColor)), luminance(behind(el))];
  return {
    element: el.tagName + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || '').trim().slice(0, 30),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
  };
}"""


def _reintegration_case(app) -> str:
    """A demo case of social affairs in reintegration: services, measures and the follow-up table."""
    from victimcare.accounts.models import Agency
    from victimcare.cases.models import Case
    from workflows.victim_path import Stage

    with db_session(app) as session:
        return session.scalar(
            sa.select(Case.reference)
            .join(Agency, Case.owning_agency_id == Agency.id)
            .where(Case.stage == Stage.REINTEGRATION, Agency.code == "social-demo")
            .order_by(Case.reference)
            .limit(1)
        )


def _log_in_vietnamese(page, username):
    """Log in and make sure the page speaks Vietnamese (another browser test may have left a user on English)."""
    log_in(page, username)
    if page.locator("html").get_attribute("lang") != "vi":
        page.get_by_test_id("language-switch").click()


def test_the_case_page_fits_a_390_px_phone(page, live_app, screenshot):
    reference = _reintegration_case(live_app)
    _log_in_vietnamese(page, "social1")  # at full width: the language switch is in the menu on a phone
    page.set_viewport_size(PHONE)
    for url in (f"/cases/{reference}", "/cases", "/referrals", "/follow-ups", f"/cases/{reference}/workflow"):
        page.goto(url)
        assert page.locator("main").count() == 1
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{url} scrolls sideways: {widths}"
    page.goto(f"/cases/{reference}")
    assert page.get_by_test_id("follow-up-visits").count() == 1  # the table that used to push it wide
    screenshot("case-page-390px")


def test_the_focus_ring_stands_out_three_to_one_wherever_it_lands(page, live_app):
    reference = _reintegration_case(live_app)
    _log_in_vietnamese(page, "social1")  # at full width: the language switch is in the menu on a phone
    page.set_viewport_size(PHONE)
    seen = []
    # The case page (links and buttons, on the page and in the navigation bar) and a form (fields,
    # radios, checkboxes, a select).
    for url in (f"/cases/{reference}", f"/cases/{reference}/referrals/new?purpose=protection"):
        page.goto(url)
        for _ in range(80):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring["element"].startswith("BODY"):  # past the last element
                break
            seen.append(ring)
            assert ring["style"] != "none" and ring["width"] >= 2, ring
            assert ring["ratio"] >= 3, ring
    kinds = {ring["element"].split(" ")[0].split("#")[0] for ring in seen}
    assert {"A", "BUTTON", "INPUT", "SELECT", "TEXTAREA"} <= kinds, kinds


def test_choosing_a_transfer_hides_the_share_boxes_and_says_why(page, live_app):
    reference = _reintegration_case(live_app)
    _log_in_vietnamese(page, "social1")
    page.goto(f"/cases/{reference}/referrals/new?purpose=protection")
    boxes, note = page.locator(".vc-share-groups"), page.get_by_test_id("transfer-note")
    assert boxes.is_visible() and not note.is_visible()
    page.check("input[name=kind][value=transfer]")
    assert not boxes.is_visible() and note.is_visible()
    assert "chuyển toàn bộ hồ sơ" in note.inner_text()
    page.check("input[name=kind][value=referral]")
    assert boxes.is_visible() and not note.is_visible()
