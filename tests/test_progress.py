"""Progress of long commands (drf_scim.progress): a line on a terminal, quiet in CI and logs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from drf_scim.management.commands.scim_backfill_records import Command
from drf_scim.models import UserRecord, UserValue
from drf_scim.progress import Progress, format_duration
from drf_scim.records import backfill_user_records
from drf_scim.serializers import SCIMUserSerializer


@pytest.fixture
def plus_suffix_keys(monkeypatch):
    """userName keys that ignore a "+..." suffix: "ann" and "ann+2" clash as userNames.

    The clash comes from the key, not from case ("ann" and "ANN"), which MariaDB's
    case-insensitive collation would refuse as two Django usernames before any key.
    """
    default = SCIMUserSerializer.unique_key.__func__
    monkeypatch.setattr(
        SCIMUserSerializer,
        "unique_key",
        classmethod(lambda cls, value: default(cls, str(value).partition("+")[0])),
    )


class Terminal(StringIO):
    """What a terminal would receive."""

    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def frames(output):
    """The successive states of the rewritten line, and what follows it."""
    return [frame.rstrip() for frame in output.split("\r") if frame.strip()]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00:00"), (7.4, "0:00:07"), (59.6, "0:01:00"), (3723, "1:02:03"), (-3, "0:00:00")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_terminal_shows_done_total_rate_and_eta():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "Backfilling user records", 100_000, clock=clock)
    clock.now += 10
    progress.advance(20_000)

    assert frames(stream.getvalue()) == [
        "Backfilling user records: 20,000/100,000 (20%) 2,000/s ETA 0:00:40"
    ]


def test_redraws_are_throttled():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "Reindexing", 10, clock=clock)
    clock.now += 1
    for _ in range(5):
        progress.advance()  # no time passes: one redraw for five steps
    clock.now += progress.interval
    progress.advance()

    assert frames(stream.getvalue()) == [
        "Reindexing: 1/10 (10%) 1/s ETA 0:00:09",
        "Reindexing: 6/10 (60%) 5/s ETA 0:00:01",
    ]


def test_finish_erases_the_line_and_writes_the_summary():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "Reindexing", 3, clock=clock)
    clock.now += 1
    progress.advance(3)
    progress.finish("Reindexed 3 SCIM user records.")

    drawn = "Reindexing: 3/3 (100%) 3/s ETA 0:00:00"
    assert stream.getvalue() == f"\r{drawn}\r{' ' * len(drawn)}\rReindexed 3 SCIM user records.\n"
    assert progress.done == 3


def test_unknown_total_shows_count_and_rate_without_eta():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "Reindexing", clock=clock)
    clock.now += 2
    progress.advance(10)

    assert frames(stream.getvalue()) == ["Reindexing: 10 5/s"]


def test_not_a_terminal_writes_only_the_summary():
    stream = StringIO()
    progress = Progress(stream, "Reindexing", 10)
    for _ in range(10):
        progress.advance()
    progress.finish("Reindexed 10 SCIM user records.")

    assert stream.getvalue() == "Reindexed 10 SCIM user records.\n"
    assert progress.done == 10


def test_enabled_overrides_the_terminal_test():
    quiet, forced = Terminal(), StringIO()
    Progress(quiet, "x", 1, enabled=False).advance()
    Progress(forced, "x", 1, enabled=True).advance()

    assert quiet.getvalue() == ""
    assert forced.getvalue().startswith("\rx: 1/1 (100%)")


def test_backfill_reports_each_batch_and_keeps_keys_unique_across_batches(db, plus_suffix_keys):
    """Records are written a batch at a time; a key held by an earlier batch is not reused."""
    names = ("ann", "bob", "cy", "ann+2", "dee")
    User.objects.bulk_create([User(username=name) for name in names])
    batches = []

    created = backfill_user_records(
        User, UserRecord, UserValue, batch_size=2, progress=batches.append
    )

    assert created == 5
    assert batches == [2, 2, 1]
    keys = dict(UserRecord.objects.values_list("user__username", "user_name_key"))
    assert keys == {"ann": "ann", "bob": "bob", "cy": "cy", "ann+2": None, "dee": "dee"}


def test_backfill_within_a_batch_keeps_the_first_holder_of_a_key(db, plus_suffix_keys):
    User.objects.bulk_create([User(username="Eve"), User(username="eve+2")])

    assert backfill_user_records(User, UserRecord, UserValue) == 2
    keys = dict(UserRecord.objects.values_list("user__username", "user_name_key"))
    assert keys == {"Eve": "eve", "eve+2": None}


@pytest.fixture
def bulk_users(db, monkeypatch):
    """Five users and a group without records, read two at a time."""
    monkeypatch.setattr(Command, "batch_size", 2)
    monkeypatch.setattr(Progress, "interval", 0)  # every step drawn
    User.objects.bulk_create([User(username=f"bulk{n}") for n in range(5)])
    Group.objects.bulk_create([Group(name="bulk group")])


SUMMARY = [
    "Created 5 SCIM user records.",
    "Reindexed 5 SCIM user records.",
    "Created 1 SCIM group records.",
    "Reindexed 1 SCIM group records.",
]


def test_command_on_a_terminal_shows_progress_and_eta(bulk_users):
    out = Terminal()
    call_command("scim_backfill_records", "--reindex", stdout=out)

    shown = frames(out.getvalue())
    backfill = [f for f in shown if f.startswith("Backfilling user records:")]
    assert [f.split()[3] for f in backfill] == ["2/5", "4/5", "5/5"]
    assert all("ETA" in f and "/s" in f for f in backfill)
    reindex = [f for f in shown if f.startswith("Reindexing user records:")]
    assert [f.split()[3] for f in reindex] == ["1/5", "2/5", "3/5", "4/5", "5/5"]
    assert [line.strip() for line in shown if not line.endswith(")") and "ETA" not in line] == (
        SUMMARY
    )
    assert out.getvalue().endswith("Reindexed 1 SCIM group records.\n")
    assert UserRecord.objects.count() == 5


def test_command_in_a_log_prints_only_the_summary(bulk_users):
    out = StringIO()
    call_command("scim_backfill_records", "--reindex", stdout=out)

    assert out.getvalue().splitlines() == SUMMARY
    assert "\r" not in out.getvalue()


def test_command_no_progress_on_a_terminal(bulk_users):
    out = Terminal()
    call_command("scim_backfill_records", "--reindex", "--no-progress", stdout=out)

    assert out.getvalue().splitlines() == SUMMARY


def test_command_progress_forced_in_a_log(bulk_users):
    out = StringIO()
    call_command("scim_backfill_records", "--progress", stdout=out)

    assert "Backfilling user records: 5/5 (100%)" in out.getvalue()
    assert out.getvalue().endswith("Created 1 SCIM group records.\n")


def test_reindex_a_key_clash_in_a_batch_spares_the_rest_of_the_batch(
    db, monkeypatch, plus_suffix_keys
):
    """Each resource has its savepoint inside its batch's transaction."""
    monkeypatch.setattr(Command, "batch_size", 10)
    User.objects.bulk_create([User(username=n) for n in ("ann", "Zoe", "zoe+2", "bob")])
    call_command("scim_backfill_records", stdout=StringIO())
    User.objects.filter(username__in=["ann", "bob"]).update(first_name="Changed")

    out = StringIO()
    call_command("scim_backfill_records", "--reindex", stdout=out)

    assert "Reindexed 4 SCIM user records." in out.getvalue().splitlines()
    records = {r.user.username: r for r in UserRecord.objects.select_related("user")}
    assert {name: r.user_name_key for name, r in records.items()} == {
        "ann": "ann",
        "Zoe": "zoe",
        "zoe+2": None,
        "bob": "bob",
    }
    assert records["ann"].search["name"] == {"givenName": "changed"}
    assert records["bob"].search["name"] == {"givenName": "changed"}
