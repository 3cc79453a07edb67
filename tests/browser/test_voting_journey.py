"""An owners' meeting in Chromium: the street officer convenes it with two motions, gives
notice and opens voting; the owner of unit 101 confirms their identity and votes on a phone;
two officers key in a signed paper ballot; the officer closes the ballot box and publishes the
result, which shows both dimensions (persons and area) of every test.

The notice period is 15 full days and the ballot box closes at a fixed time. The test moves
the meeting's dates in the database between the steps to skip those waits; every such move is
marked in a comment. Assertions rest on data and data-testid attributes, not on the wording
of our own strings.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anju.voting import services
from anju.voting.models import (
    Ballot,
    BallotChannel,
    Delivery,
    Meeting,
    MeetingState,
    PaperSheet,
    Proxy,
)
from anju.voting.rules import Matter
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def move(page, step: str) -> None:
    """Press one of the meeting page's move buttons and expect it to succeed."""
    with page.expect_navigation():
        page.get_by_test_id(f"submit-{step}").click()
    expect(page.locator(".alert-danger")).to_have_count(0)
    expect(page.locator(".alert-success")).to_have_count(1)


def test_meeting_from_notice_to_published_result(pages, world, no_horizontal_scroll):
    owner_101, owner_102 = world.owners["a"][0], world.owners["a"][1]

    # given the street officer on the voting list
    organiser = pages.new()
    pages.login(organiser, "street_a_officer")
    organiser.locator(".navbar-vertical a[href='/votes/']").click()
    organiser.get_by_test_id("create").click()

    # when they convene a meeting whose voting opens once the 15-day notice has run
    opens = (timezone.localtime() + timedelta(days=18)).replace(hour=9, minute=0)
    form = organiser.get_by_test_id("form")
    form.locator("#id_estate").select_option(label=world.estate_a.name)
    form.locator("#id_title").fill("2026年第一次业主大会会议")
    form.locator("#id_convener_name").fill("红星花园业主委员会")
    form.locator("#id_opens_at").fill(_local(opens))
    form.locator("#id_closes_at").fill(_local(opens + timedelta(days=7)))
    form.locator("#id_proxy_cap").fill("3")
    pages.shot(organiser, "meeting-form")
    with organiser.expect_navigation():
        form.get_by_test_id("submit").click()
    meeting = Meeting.objects.get(title="2026年第一次业主大会会议")
    expect(organiser.get_by_test_id("meeting-state")).to_have_text(meeting.get_state_display())

    # and adds two motions: the whole estate hires a company; building 1 spends fund money
    organiser.get_by_test_id("add-motion").click()
    form = organiser.get_by_test_id("form")
    form.locator("#id_title").fill("选聘安心物业为物业服务企业")
    form.locator("#id_matter").select_option("4")
    form.locator("#id_body").fill("服务期三年，物业费标准2.80元/平方米·月。")
    with organiser.expect_navigation():
        form.get_by_test_id("submit-another").click()
    form = organiser.get_by_test_id("form")
    form.locator("#id_title").fill("1栋外墙维修使用专项维修资金")
    form.locator("#id_matter").select_option("5")
    form.locator("#id_body").fill("预算12万元，由1栋业主按建筑面积分摊。")
    form.locator("input[name=electorate][value=buildings]").check()
    form.get_by_test_id("pick-buildings").get_by_label(world.building_a.number).check()
    pages.shot(organiser, "motion-form")
    with organiser.expect_navigation():
        form.get_by_test_id("submit").click()
    expect(organiser.get_by_test_id("motion")).to_have_count(2)
    pages.shot(organiser, "meeting-draft")

    # and gives notice: the rolls are built from the register and published
    move(organiser, "notice")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.NOTICED
    expect(organiser.get_by_test_id("roll-persons")).to_have_text(["3", "3"])
    pages.shot(organiser, "meeting-noticed")
    organiser.get_by_test_id("roll-link").first.click()
    expect(organiser.get_by_test_id("roll-entry")).to_have_count(3)
    expect(organiser.get_by_test_id("total-area")).to_have_text("268.50")
    pages.shot(organiser, "roll")

    # Skip the notice period: voting opens five minutes ago (the database, not the page).
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=7)
    )
    organiser.goto(f"/votes/{meeting.pk}/")
    move(organiser, "open")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.OPEN
    assert all(m.roll_hash for m in meeting.motions.all())

    # and reminds those who have not voted: by text and in the app
    move(organiser, "remind")

    # when the owner of unit 101 logs in on a phone, the overview asks for their vote
    owner = pages.new(PHONE)
    pages.login(owner, "owner_unit_101")
    expect(owner.get_by_test_id("to-vote")).to_contain_text(meeting.title)
    expect(owner.get_by_test_id("reminded")).to_have_count(1)
    pages.shot(owner, "owner-home")
    no_horizontal_scroll(owner)
    owner.goto("/votes/mine/")
    expect(owner.get_by_test_id("my-meeting")).to_have_count(1)
    expect(owner.get_by_test_id("reminder")).to_have_count(1)
    pages.shot(owner, "owner-mine")
    no_horizontal_scroll(owner)
    owner.get_by_test_id("vote-link").click()

    # and first types a wrong ID number, then their own
    identity = owner.get_by_test_id("identity-form")
    identity.locator("#id_id_number").fill(owner_102.id_number)
    with owner.expect_navigation() as navigation:
        identity.get_by_test_id("submit-identity").click()
    assert navigation.value.status == 400
    expect(owner.get_by_test_id("error-id_number")).to_have_count(1)
    pages.shot(owner, "owner-identity-error")
    no_horizontal_scroll(owner)
    identity = owner.get_by_test_id("identity-form")
    identity.locator("#id_id_number").fill(owner_101.id_number)
    with owner.expect_navigation():
        identity.get_by_test_id("submit-identity").click()

    # then they see one card per motion and vote to agree to both
    expect(owner.get_by_test_id("voter-name")).to_have_text(owner_101.name)
    cards = owner.get_by_test_id("ballot-motion")
    expect(cards).to_have_count(2)
    for i in range(2):
        cards.nth(i).locator(
            ".form-selectgroup-item", has=owner.get_by_test_id("choice-yes")
        ).click()
    pages.shot(owner, "owner-ballot")
    no_horizontal_scroll(owner)
    with owner.expect_navigation():
        owner.get_by_test_id("submit-ballot").click()

    # and get a receipt code per motion
    receipts = list(
        Ballot.objects.filter(effective=True, entry__owner=owner_101)
        .order_by("motion__number")
        .values_list("receipt", flat=True)
    )
    assert len(receipts) == 2
    expect(owner.get_by_test_id("receipt-code")).to_have_text(receipts)
    pages.shot(owner, "owner-receipts")
    no_horizontal_scroll(owner)

    # when the community worker keys in the signed paper ballot of unit 102's owner
    organiser.goto(f"/votes/{meeting.pk}/paper/")
    counts = organiser.get_by_test_id("counts-form")
    counts.locator("#id_issued").fill("3")
    counts.locator("#id_returned").fill("1")
    with organiser.expect_navigation():
        counts.get_by_test_id("submit-counts").click()

    def key_in(page, choices, shot: str = "") -> None:
        page.goto(f"/votes/{meeting.pk}/paper/")
        search = page.get_by_test_id("voter-search")
        search.locator("input[name=q]").fill(owner_102.name)
        with page.expect_navigation():
            search.locator("button").click()
        page.get_by_test_id("voter-hit").click()
        form = page.get_by_test_id("paper-form")
        form.locator("#id_number").fill("P-0001")
        for fieldset, choice in zip(
            form.get_by_test_id("paper-motion").all(), choices, strict=True
        ):
            fieldset.get_by_test_id(f"paper-{choice}").check()
        if shot:
            page.evaluate("window.scrollTo(0, 0)")
            pages.shot(page, shot)
        with page.expect_navigation():
            form.get_by_test_id("submit-paper").click()

    officer = pages.new()
    pages.login(officer, "community_a1_worker")
    key_in(officer, ["yes", "no"], shot="paper-entry-form")
    assert PaperSheet.objects.get().state == PaperSheet.State.FIRST
    expect(officer.get_by_test_id("sheets-first").get_by_test_id("sheet")).to_have_count(1)
    pages.shot(officer, "paper-first-entry")

    # and the street officer keys the same sheet in again
    key_in(organiser, ["yes", "no"])
    assert PaperSheet.objects.get().state == PaperSheet.State.MATCHED
    assert Ballot.objects.filter(channel=BallotChannel.PAPER, effective=True).count() == 2
    expect(organiser.get_by_test_id("sheets-matched").get_by_test_id("sheet")).to_have_count(1)
    pages.shot(organiser, "paper-matched")

    # then the meeting page shows turnout against the quorum, and no running yes/no split
    organiser.goto(f"/votes/{meeting.pk}/")
    expect(organiser.get_by_test_id("turnout-persons")).to_have_count(2)
    expect(organiser.get_by_test_id("tally")).to_have_count(0)
    pages.shot(organiser, "meeting-open")

    # Skip to the end of voting: the ballot box closed a minute ago (the database again).
    Meeting.objects.filter(pk=meeting.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    organiser.reload()
    move(organiser, "close")
    move(organiser, "publish")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.PUBLISHED

    # then the result shows both dimensions of each test; the estate-wide motion passes and
    # building 1's fund motion, with one of two participants agreeing, does not
    motions = organiser.get_by_test_id("motion")
    for measure in ("persons", "area"):
        for test in ("quorum", "approval"):
            expect(motions.get_by_test_id(f"dimension-{test}-{measure}")).to_have_count(2)
    expect(motions.nth(0).get_by_test_id("motion-passed")).to_have_count(1)
    expect(motions.nth(1).get_by_test_id("motion-failed")).to_have_count(1)
    expect(organiser.get_by_test_id("link-board")).to_have_count(1)
    pages.shot(organiser, "meeting-published")

    # and the owner sees the published result on their phone
    owner.goto(f"/votes/{meeting.pk}/")
    expect(owner.get_by_test_id("dimension-approval-area")).to_have_count(2)
    pages.shot(owner, "owner-result")
    no_horizontal_scroll(owner)


PDF = b"%PDF-1.4\n% signed entrustment\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def open_meeting(world):
    """An open meeting of estate A whose roll was corrected once during the objection period
    (built through the services around the real clock)."""
    actor = world.people.street_a_officer
    now = timezone.now()
    opens = now - timedelta(hours=1)
    meeting = services.create_meeting(
        actor=actor,
        estate=world.estate_a,
        title="2026年第二次业主大会会议",
        opens_at=opens,
        closes_at=now + timedelta(days=5),
        proxy_cap=2,
    )
    services.add_motion(actor=actor, meeting=meeting, title="选聘物业", matter=Matter.HIRE_MANAGER)
    services.give_notice(actor=actor, meeting=meeting, now=opens - timedelta(days=17))
    entry = meeting.motions.get().roll.get(key=f"owner:{world.owners['a'][2].pk}")
    services.correct_roll(actor=actor, entry=entry, reason="按不动产登记簿更正面积", area=9000)
    services.open_voting(actor=actor, meeting=meeting, now=opens)
    return meeting


def test_counting_desk_records_a_proxy_and_a_delivery(pages, world, open_meeting):
    owner_102, owner_103 = world.owners["a"][1], world.owners["a"][2]
    holder_id = "510104199001011234"

    # given the community worker at the counting desk
    officer = pages.new()
    pages.login(officer, "community_a1_worker")
    officer.goto(f"/votes/{open_meeting.pk}/")
    officer.get_by_test_id("tab-proxies").click()

    # when they record the signed entrustment of unit 102's owner
    search = officer.get_by_test_id("voter-search")
    search.locator("input[name=q]").fill(owner_102.name)
    with officer.expect_navigation():
        search.locator("button").click()
    officer.get_by_test_id("voter-hit").click()
    form = officer.get_by_test_id("proxy-form")
    form.locator("#id_holder_name").fill("赵代理")
    form.locator("#id_holder_id_number").fill(holder_id)
    form.locator("#id_document").set_input_files(
        files=[{"name": "委托书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    pages.shot(officer, "proxy-form")
    with officer.expect_navigation():
        form.get_by_test_id("submit-proxy").click()

    # then it is listed, the holder's ID masked
    proxy = Proxy.objects.get()
    assert proxy.owner == owner_102
    expect(officer.get_by_test_id("proxy")).to_have_count(1)
    expect(officer.get_by_test_id("proxies")).not_to_contain_text(holder_id)

    # when the holder comes to vote and shows their ID
    officer.get_by_test_id("proxy-vote").click()
    vote = officer.get_by_test_id("proxy-vote-form")
    vote.locator("#id_holder_id_number").fill(holder_id)
    vote.locator(".form-selectgroup-item", has=officer.get_by_test_id("proxy-yes")).click()
    pages.shot(officer, "proxy-vote")
    with officer.expect_navigation():
        vote.get_by_test_id("submit-proxy-vote").click()

    # then the proxy's ballot counts for the owner
    ballot = Ballot.objects.get(effective=True)
    assert (ballot.channel, ballot.proxy) == (BallotChannel.PROXY, proxy)
    expect(officer.locator(".alert-success")).to_contain_text(ballot.receipt)
    pages.shot(officer, "proxies")

    # when they record the signed paper receipt of the notice for unit 103's owner
    officer.get_by_test_id("tab-deliveries").click()
    row = officer.get_by_test_id("delivery-row").filter(has_text=owner_103.name)
    row.get_by_test_id("record-delivery").click()
    form = officer.get_by_test_id("delivery-form")
    form.locator("#id_channel").select_option("paper")
    form.locator("#id_evidence").set_input_files(
        files=[{"name": "回执.png", "mimeType": "image/png", "buffer": PNG}]
    )
    form.locator("#id_note").fill("本人签收")
    with officer.expect_navigation():
        form.get_by_test_id("submit-delivery").click()

    # then the receipt and its photo are on the voter's line
    delivery = Delivery.objects.get(channel="paper")
    assert delivery.voter_key == f"owner:{owner_103.pk}"
    expect(officer.get_by_test_id("summary-paper")).to_have_text("1")
    pages.shot(officer, "deliveries")

    # and the district administrator sees the roll correction among the fraud signals
    admin = pages.new()
    pages.login(admin, "district_admin")
    admin.goto("/votes/")
    expect(admin.get_by_test_id("signals")).to_have_count(1)
    pages.shot(admin, "supervisor-list")
    admin.goto(f"/votes/{open_meeting.pk}/signals/")
    expect(admin.get_by_test_id("signal")).not_to_have_count(0)
    pages.shot(admin, "signals")


def test_roll_objection_period_masked_for_owners_corrected_by_the_organiser(
    pages, world, no_horizontal_scroll
):
    # given a meeting noticed today, its roll published for objections
    actor = world.people.street_a_officer
    opens = timezone.now() + timedelta(days=20)
    meeting = services.create_meeting(
        actor=actor,
        estate=world.estate_a,
        title="2027年第一次业主大会会议",
        opens_at=opens,
        closes_at=opens + timedelta(days=7),
    )
    services.add_motion(actor=actor, meeting=meeting, title="修订管理规约", matter=Matter.OTHER)
    services.give_notice(actor=actor, meeting=meeting)
    motion = meeting.motions.get()
    owner_101, owner_103 = world.owners["a"][0], world.owners["a"][2]

    # when the owner of unit 101 opens the roll on a phone
    owner = pages.new(PHONE)
    pages.login(owner, "owner_unit_101")
    owner.goto(f"/votes/motions/{motion.pk}/roll/")

    # then only their own line shows a full name; the others are masked
    expect(owner.get_by_test_id("roll-entry")).to_have_count(3)
    expect(owner.get_by_test_id("own-entry")).to_have_count(1)
    expect(owner.get_by_test_id("roll")).to_contain_text(owner_101.name)
    expect(owner.get_by_test_id("roll")).not_to_contain_text(owner_103.name)
    expect(owner.get_by_test_id("changes")).to_have_count(0)
    pages.shot(owner, "owner-roll")
    no_horizontal_scroll(owner)

    # when the organiser corrects unit 103's area with the registry's figure
    organiser = pages.new()
    pages.login(organiser, "street_a_officer")
    organiser.goto(f"/votes/motions/{motion.pk}/roll/")
    entry = motion.roll.get(key=f"owner:{owner_103.pk}")
    box = organiser.get_by_test_id(f"correct-{entry.pk}")
    box.locator("summary").click()
    box.locator("select[name=change]").select_option("area")
    box.locator("input[name=area]").fill("92.30")
    box.locator("textarea[name=reason]").fill("按不动产登记簿更正面积")
    with organiser.expect_navigation():
        box.get_by_test_id("submit-correct").click()

    # then the roll and its history show the change
    entry.refresh_from_db()
    assert entry.area == 9230
    expect(organiser.locator(".alert-success")).to_have_count(1)
    expect(organiser.get_by_test_id("total-area")).to_have_text("271.30")
    expect(organiser.get_by_test_id("changes")).to_contain_text("按不动产登记簿更正面积")
    pages.shot(organiser, "roll-corrected")


def test_owner_chooses_a_company_among_candidates_and_the_result_names_it(
    pages, world, no_horizontal_scroll
):
    # given an open meeting whose motion chooses one of three companies (built through the
    # services around the real clock)
    actor = world.people.street_a_officer
    now = timezone.now()
    opens = now - timedelta(hours=1)
    meeting = services.create_meeting(
        actor=actor,
        estate=world.estate_a,
        title="2026年选聘物业服务企业业主大会",
        opens_at=opens,
        closes_at=now + timedelta(days=5),
    )
    labels = ["锦华物业服务有限公司", "蓉城物业管理有限公司", "天府智慧物业有限公司"]
    services.add_motion(
        actor=actor,
        meeting=meeting,
        title="选聘物业服务企业",
        matter=Matter.HIRE_MANAGER,
        option_labels=labels,
    )
    services.give_notice(actor=actor, meeting=meeting, now=opens - timedelta(days=17))
    services.open_voting(actor=actor, meeting=meeting, now=opens)
    motion = meeting.motions.get()
    owner_101 = world.owners["a"][0]

    # when the owner of unit 101 confirms their identity on a phone and picks the second one
    owner = pages.new(PHONE)
    pages.login(owner, "owner_unit_101")
    owner.goto(f"/votes/{meeting.pk}/ballot/")
    identity = owner.get_by_test_id("identity-form")
    identity.locator("#id_id_number").fill(owner_101.id_number)
    with owner.expect_navigation():
        identity.get_by_test_id("submit-identity").click()
    card = owner.get_by_test_id("ballot-motion")
    expect(card.locator(".form-selectgroup-item")).to_have_count(4)  # three and 弃权
    expect(owner.get_by_test_id("choice-yes")).to_have_count(0)
    card.locator(".form-selectgroup-item", has=owner.get_by_test_id("choice-o2")).click()
    pages.shot(owner, "owner-ballot-options")
    no_horizontal_scroll(owner)
    with owner.expect_navigation():
        owner.get_by_test_id("submit-ballot").click()

    # then the ballot is counted for that company
    assert Ballot.objects.get(effective=True, motion=motion).choice == "o2"
    expect(owner.get_by_test_id("current-choice")).to_contain_text(labels[1])

    # when the others vote for it too and the ballot box closes (the closing time is moved
    # into the past in the database instead of waiting five days)
    for other in world.owners["a"][1:]:
        services.cast(
            motion=motion,
            entry=motion.roll.get(key=f"owner:{other.pk}"),
            choice="o2",
            channel=BallotChannel.ONLINE,
        )
    Meeting.objects.filter(pk=meeting.pk).update(closes_at=timezone.now())
    organiser = pages.new()
    pages.login(organiser, "street_a_officer")
    organiser.goto(f"/votes/{meeting.pk}/")
    move(organiser, "close")

    # then the result names the adopted company and tests each option in both dimensions
    expect(organiser.get_by_test_id("chosen-option")).to_contain_text(labels[1])
    for code in ("o1", "o2", "o3"):
        for measure in ("persons", "area"):
            expect(organiser.get_by_test_id(f"dimension-approval-{code}-{measure}")).to_have_count(
                1
            )
    expect(organiser.get_by_test_id("motion-passed")).to_have_count(1)
    pages.shot(organiser, "result-options")
