"""Demo votes in the owner persona's estate, built through the services and deterministic by
seed: a meeting published last spring (with its board), one open now (the owner persona has
not voted yet, about half the others have) and a draft."""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from anju.accounts.models import User
from anju.voting import services
from anju.voting.models import BallotChannel, Meeting, Motion
from anju.voting.rules import Matter


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


def _cast_some(meeting, rate: float, yes: float, rng: random.Random, window, skip_keys=()):
    """Cast ballots for a share of the voters, spread over the voting window."""
    start, end = window
    span = (end - start).total_seconds()
    for motion in meeting.motions.all():
        entries = list(motion.roll.filter(excluded=False).order_by("id"))
        for entry in entries:
            if entry.key in skip_keys or rng.random() > rate:
                continue
            r = rng.random()
            choice = "yes" if r < yes else ("no" if r < yes + (1 - yes) * 0.7 else "abstain")
            # About one in ten votes witnessed at the community centre.
            channel = BallotChannel.ASSISTED if rng.random() < 0.1 else BallotChannel.ONLINE
            now = start + timedelta(seconds=rng.random() * span * 0.95)
            services.cast(
                motion=motion,
                entry=entry,
                choice=choice,
                channel=channel,
                ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                device=f"{rng.getrandbits(48):012x}",
                now=now,
            )


def build_votes(seed: int = 2026, now: datetime | None = None) -> dict[str, int]:
    from anju.accounts.models import Membership
    from anju.accounts.roles import Role

    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not secrets
    committee = User.objects.filter(username="committee_member").first()
    owner_user = User.objects.filter(username="owner").first()
    if committee is None or owner_user is None:
        return {}
    estate = Membership.objects.get(user=committee, role=Role.COMMITTEE_MEMBER).estate
    owner_unit = Membership.objects.get(user=owner_user, role=Role.OWNER).unit
    owner_keys = {
        f"owner:{pk}"
        for pk in owner_unit.ownerships.filter(is_representative=True).values_list(
            "owner_id", flat=True
        )
    }
    building = estate.buildings.order_by("id").first()

    # 1. Last spring: the management statute and raising the fund, counted and published.
    spring = today - timedelta(days=200)
    past = services.create_meeting(
        actor=committee,
        estate=estate,
        title="2026年第一次业主大会会议",
        convener="committee",
        convener_name=f"{estate.name}业主委员会",
        description="书面征求意见方式召开，表决修订管理规约及续筹专项维修资金。",
        opens_at=_at(spring + timedelta(days=20)),
        closes_at=_at(spring + timedelta(days=34), 18),
    )
    services.add_motion(
        actor=committee,
        meeting=past,
        title="修订《管理规约》（第三版）",
        matter=Matter.MANAGEMENT_STATUTE,
        body="修订停车管理、装修管理和宠物管理相关条款，全文见附件。",
    )
    services.add_motion(
        actor=committee,
        meeting=past,
        title="续筹住宅专项维修资金",
        matter=Matter.RAISE_FUND,
        body="分户账余额不足首期应交存额30%的，按每平方米25元续筹。",
    )
    services.give_notice(actor=committee, meeting=past, now=_at(spring))
    services.open_voting(actor=committee, meeting=past, now=past.opens_at)
    past.refresh_from_db()
    _cast_some(past, 0.8, 0.86, rng, (past.opens_at, past.closes_at))
    services.close_voting(actor=committee, meeting=past, now=past.closes_at + timedelta(hours=1))
    services.publish(actor=committee, meeting=past, now=past.closes_at + timedelta(days=1))

    # 2. Open now: renew the property company and use the fund for building 1's lifts.
    noticed = today - timedelta(days=19)
    current = services.create_meeting(
        actor=committee,
        estate=estate,
        title="2026年第二次业主大会会议",
        convener="committee",
        convener_name=f"{estate.name}业主委员会",
        description="表决续聘物业服务企业及使用维修资金更换电梯。",
        opens_at=_at(today - timedelta(days=2)),
        closes_at=_at(today + timedelta(days=5), 18),
        proxy_cap=3,
    )
    services.add_motion(
        actor=committee,
        meeting=current,
        title="续聘现物业服务企业，服务期三年",
        matter=Matter.HIRE_MANAGER,
        body="物业费标准维持不变，服务期自2027年1月1日起三年。",
    )
    if building is not None:
        services.add_motion(
            actor=committee,
            meeting=current,
            title=f"{building.number}电梯更新改造使用专项维修资金",
            matter=Matter.USE_FUND,
            body="预算60万元，按建筑面积分摊，由列支范围内业主分户账列支。",
            electorate=Motion.Electorate.BUILDINGS,
            buildings=[building],
        )
    services.give_notice(actor=committee, meeting=current, now=_at(noticed))
    services.open_voting(actor=committee, meeting=current, now=current.opens_at)
    current.refresh_from_db()
    _cast_some(current, 0.45, 0.7, rng, (current.opens_at, now), skip_keys=owner_keys)

    # 3. A draft being prepared.
    draft = services.create_meeting(
        actor=committee,
        estate=estate,
        title="增设电动自行车集中充电设施",
        convener="committee",
        convener_name=f"{estate.name}业主委员会",
        opens_at=_at(today + timedelta(days=30)),
        closes_at=_at(today + timedelta(days=40), 18),
    )
    services.add_motion(
        actor=committee,
        meeting=draft,
        title="利用小区公共区域设置充电车棚",
        matter=Matter.CHANGE_USE,
    )
    services.add_motion(
        actor=committee,
        meeting=draft,
        title="充电车棚选址",
        matter=Matter.CHANGE_USE,
        body="三处候选位置的平面图见附件；每户选择一处或弃权。",
        option_labels=["东门停车场旁", "3栋北侧绿地", "地下车库入口"],
    )
    return {"meetings": Meeting.objects.count()}
