"""In the real browser: the coordinator returns work; the bureau sees the unread count in
the navigation bar, opens the notification and lands on the returned assignment."""
import pytest

from campaigns.models import Assignment
from notifications.models import Notification
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_returned_assignment_reaches_the_bureau_through_its_inbox(page, demo_site):
    assignment = Assignment.objects.get(task__number=11, unit__memberships__user__username="xining")
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED, percent=100)

    log_in(page, demo_site, "province")
    page.goto(f"{demo_site}/assignments/{assignment.pk}/")
    page.fill("#id_comment", "请补充培训班的新闻报道截图。")
    page.click("#review-form button:has-text('退回修改')")
    page.wait_for_selector("text=已退回，单位将看到退回意见。")
    page.click("nav form button")
    page.wait_for_url("**/accounts/login/")

    log_in(page, demo_site, "xining")
    unread = Notification.objects.filter(recipient__username="xining", read_at__isnull=True).count()
    assert unread >= 1
    assert page.locator("#nav-unread").inner_text().startswith(str(unread))
    page.click("#nav-inbox")
    page.wait_for_selector("#notifications")
    page.click("#notifications a:has-text('任务11被退回')")
    page.wait_for_url(f"**/assignments/{assignment.pk}/")
    assert "请补充培训班的新闻报道截图。" in page.locator("#return-notice").inner_text()
    # Opened, so read: the count went down by one.
    if unread == 1:
        assert page.locator("#nav-unread").count() == 0
    else:
        assert page.locator("#nav-unread").inner_text().startswith(str(unread - 1))
    assert Notification.objects.get(recipient__username="xining", kind="returned").read_at is not None
