"""The library: atomic imports, dedupe, migrations, comments, roles and search."""

from __future__ import annotations

import sqlite3

import pytest
from library_db import integrity
from sqlite_utils import Database

from reviewer import actions
from reviewer.errors import ReviewerError
from reviewer.importer import expand_paths, import_files
from reviewer.library import open_library
from reviewer.library.schema import SCHEMA_VERSION, apply_migrations, migrations


@pytest.fixture()
def stored(library, pushback, processed):
    """The push-back call (processed once per session by the real pipeline) in the library."""
    from reviewer.library.store import content_hash

    _, path = pushback
    result = processed("pushback")
    call_id, created = actions.calls.store_call(
        library,
        path,
        content_hash(path),
        result.transcript,
        result.analysis,
        source_channels=2,
        source_rate=16000,
        dual_mono=False,
    )
    assert created
    return call_id


def test_import_stores_the_call_with_its_analysis(library, clean, processed):
    (outcome,) = import_files([clean[1]], library)
    assert outcome.status == "imported", outcome.message
    row = library.list_calls()[0]
    result = processed("clean")
    assert row.id == outcome.call_id and row.name == "clean.ogg"
    assert row.agent == "Maria" and row.refusal_count == 0  # named from "my name is Maria"
    assert row.agent_talk_share == pytest.approx(result.analysis.metrics.agent_talk_share, abs=0.01)
    call = library.load_call(outcome.call_id)
    assert " ".join(t.text for t in call.transcript.turns) == " ".join(
        t.text for t in result.transcript.turns
    )


def test_stored_call_keeps_every_marker(library, stored):
    call = library.load_call(stored)
    assert {m.kind for m in call.markers} == {"refusal", "long_silence", "long_monologue", "overtalk"}
    assert library.call_row(stored).refusal_count == 3


def test_reimporting_the_same_audio_is_a_no_op(library, stored, pushback, tmp_path):
    _, path = pushback
    copy = tmp_path / "renamed copy.wav"
    copy.write_bytes(path.read_bytes())
    outcomes = import_files([path, copy], library)
    assert [o.status for o in outcomes] == ["duplicate", "duplicate"]
    assert all(o.call_id == stored for o in outcomes)
    assert len(library.list_calls()) == 1


def test_a_failure_while_storing_leaves_nothing_half_written(library, processed, pushback, monkeypatch):
    result = processed("pushback")
    _, path = pushback

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user hit Ctrl-C between tables

    monkeypatch.setattr(library, "store_analysis", crash)
    with pytest.raises(KeyboardInterrupt):
        actions.calls.store_call(
            library,
            path,
            "abc123",
            result.transcript,
            result.analysis,
            source_channels=2,
            source_rate=16000,
            dual_mono=False,
        )
    for table in ("calls", "speakers", "words", "turns", "markers"):
        assert library.db[table].count == 0, table


def test_batch_reports_bad_files_and_goes_on(library, short_call, tmp_path):
    folder = tmp_path / "week 47 calls"
    folder.mkdir()
    (folder / "good call.wav").write_bytes(short_call[1].read_bytes())
    (folder / "broken.wav").write_text("not audio")
    (folder / "empty.mp3").write_bytes(b"")
    (folder / "notes.txt").write_text("ignored: not an audio extension")
    files = expand_paths([folder])
    assert [f.name for f in files] == ["broken.wav", "empty.mp3", "good call.wav"]
    outcomes = {o.path.name: o for o in import_files(files, library)}
    assert outcomes["good call.wav"].status == "imported"
    assert (
        outcomes["broken.wav"].status == "failed"
        and "not a readable audio file" in outcomes["broken.wav"].message
    )
    assert outcomes["empty.mp3"].status == "failed" and "empty" in outcomes["empty.mp3"].message
    assert integrity(library.path) == "ok"


@pytest.mark.slow  # 20 s or more of real speech or a full command-line run: `make test-slow` and CI run it
@pytest.mark.postgres_too
def test_cancel_mid_batch_keeps_calls_already_stored(library, short_call, clean, tmp_path):
    from reviewer.errors import Cancelled
    from reviewer.progress import CancelToken

    token = CancelToken()

    def cancel_second_file(index, path, progress):
        if index == 1 and progress.stage == "transcribe":
            token.cancel()

    with pytest.raises(Cancelled):
        import_files([short_call[1], clean[1]], library, progress=cancel_second_file, cancel=token)
    assert [r.name for r in library.list_calls()] == ["short.wav"]
    (again,) = import_files([clean[1]], library)
    assert again.status == "imported"


def test_comments_are_validated_and_kept(library, stored):
    first = library.add_comment(
        stored,
        start=12.0,
        end=15.5,
        text="Don't ask why; just process it.",
        author="coach",
        category="improve",
    )
    library.add_comment(stored, start=2.0, text="Great greeting", category="praise")
    assert [c.text for c in library.comments(stored)] == [
        "Great greeting",
        "Don't ask why; just process it.",
    ]
    library.update_comment(first, text="Process the cancellation straight away.", category="compliance")
    changed = library.comment(first)
    assert changed.category == "compliance" and changed.end == 15.5
    with pytest.raises(ReviewerError, match="outside the call"):
        library.add_comment(stored, start=9999, text="too late")
    with pytest.raises(ReviewerError, match="category"):
        library.add_comment(stored, start=1, text="x", category="rude")
    with pytest.raises(ReviewerError, match="end after"):
        library.add_comment(stored, start=5, end=4, text="backwards")
    library.delete_comment(first)
    assert len(library.comments(stored)) == 1


def test_a_comment_reads_back_typed_with_its_times_in_seconds(library, stored):
    from reviewer.model import Comment

    cid = library.add_comment(
        stored, start=12.0, end=15.5, text=" Ask first ", author="coach", category="improve"
    )
    c = library.comment(cid)
    assert isinstance(c, Comment)
    assert (c.id, c.call_id, c.start, c.end, c.text, c.category, c.author, c.version, c.reply) == (
        cid,
        stored,
        12.0,
        15.5,
        "Ask first",
        "improve",
        "coach",
        1,
        None,
    )
    assert library.comments(stored) == [c]
    assert library.update_comment(cid, expected_version=1, end=None) == 2
    assert (library.comment(cid).end, library.comment(cid).version) == (None, 2)


def test_comments_survive_reopening(library_location, short_call):
    path = library_location("lib")
    with open_library(path) as lib:
        (o,) = import_files([short_call[1]], lib)
        lib.add_comment(o.call_id, start=3, text="Hold explained well", category="praise")
    with open_library(path) as lib:
        assert [c.text for c in lib.comments(o.call_id)] == ["Hold explained well"]


@pytest.mark.sqlite_only("the file's journal mode and permissions")
def test_a_library_file_reopens_in_wal_mode_private_to_its_owner(tmp_path, short_call):
    path = tmp_path / "lib.sqlite"
    with open_library(path) as lib:
        import_files([short_call[1]], lib)
    with open_library(path) as lib:
        assert lib.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (path.stat().st_mode & 0o077) == 0  # private to its owner


def test_swapping_roles_flips_talk_share_and_markers_follow(library, stored, settings):
    before = library.call_row(stored)
    old = {m.start for m in library.load_call(stored).markers if m.kind == "refusal"}
    actions.corrections.swap_roles(library, stored, settings)
    after = library.call_row(stored)
    assert after.agent_talk_share == pytest.approx(1 - before.agent_talk_share, abs=0.001)
    # Refusals are now judged on the other speaker's turns: none of the old ones remain.
    refusals = [m for m in library.load_call(stored).markers if m.kind == "refusal"]
    assert all(m.speaker == "S2" and m.start not in old for m in refusals)
    actions.corrections.swap_roles(library, stored, settings)
    assert library.call_row(stored).refusal_count == 3


def test_renaming_a_speaker(library, stored, settings):
    actions.corrections.rename_speaker(library, stored, "S1", name="Ryan", settings=settings)
    assert library.list_calls()[0].agent == "Ryan"
    actions.corrections.rename_speaker(library, stored, "S2", role="agent", settings=settings)
    roles = {s.id: s.role for s in library.load_call(stored).transcript.speakers}
    assert roles == {"S1": "customer", "S2": "agent"}


def test_correcting_who_spoke_mends_a_call_heard_as_one_voice(
    library, store_heard_as_one, processed, settings
):
    """A mono call whose two voices diarization heard as one (as with two similar voices): the
    coach gives the customer's turns back, a voice at a time, and every figure follows; undone,
    the call is as it was."""
    truth = processed("pushback").transcript  # stereo: who said what is exact
    call_id = store_heard_as_one(library)
    assert library.call_row(call_id).agent_talk_share == 1.0
    assert library.call_row(call_id).refusal_count == 0  # no customer, so no request to refuse
    assert heard_as_one(library, call_id) == ("S1", 1.0)  # the review says how to correct it

    first = next(t for t in truth.turns if t.speaker == "S2")
    with pytest.raises(ReviewerError, match="no speaker 'S5'"):
        actions.corrections.speaker_ref(library, call_id, "S5")
    assert actions.corrections.speaker_ref(library, call_id, "s2") == "S2"  # a new voice: the next label
    change = actions.corrections.reassign_speech(
        library, call_id, "S2", start=first.start, end=first.end, settings=settings
    )
    assert change.words == first.word_count
    speakers = library.load_call(call_id).transcript.speakers
    assert [(s.id, s.role) for s in speakers] == [("S1", "agent"), ("S2", "customer")]
    assert actions.corrections.speaker_ref(library, call_id, "customer") == "S2"
    changes = [change]
    for turn in [t for t in truth.turns if t.speaker == "S2"][1:]:
        changes.append(
            actions.corrections.reassign_speech(
                library, call_id, "S2", start=turn.start, end=turn.end, settings=settings
            )
        )

    mended = library.call_row(call_id)
    share = processed("pushback").analysis.metrics.agent_talk_share
    assert mended.agent_talk_share == pytest.approx(share, abs=0.02)
    assert mended.refusal_count == 3  # the agent's push-backs are found again
    assert heard_as_one(library, call_id) is None
    # Every word the customer said is the customer's again; the agent's few words said over the
    # customer's interruption went along with it, as a range takes whatever was said in it.
    said = {(w.start, w.text) for w in library.load_call(call_id).transcript.words if w.speaker == "S2"}
    customer = {(w.start, w.text) for w in truth.words if w.speaker == "S2"}
    assert customer <= said and len(said - customer) <= 8

    with pytest.raises(ReviewerError, match="Nothing to change"):
        actions.corrections.reassign_speech(
            library, call_id, "S2", start=first.start, end=first.end, settings=settings
        )
    for c in reversed(changes):
        actions.corrections.restore_speech(library, c, settings)
    back = library.load_call(call_id)
    assert [s.id for s in back.transcript.speakers] == ["S1"]
    assert {w.speaker for w in back.transcript.words} == {"S1"}
    assert library.call_row(call_id).agent_talk_share == 1.0


def test_undoing_who_said_it_keeps_role_and_name_changes_made_after_it(
    library, store_heard_as_one, processed, settings
):
    """Undo of a correction of who said what puts back only the words it moved (and takes away a
    speaker it added once no words remain with it), never the roles and names set after it."""
    truth = processed("pushback").transcript
    call_id = store_heard_as_one(library)
    first = next(t for t in truth.turns if t.speaker == "S2")
    change = actions.corrections.reassign_speech(
        library, call_id, "S2", start=first.start, end=first.end, settings=settings
    )
    actions.corrections.rename_speaker(library, call_id, "S1", name="Ryan", settings=settings)
    actions.corrections.swap_roles(library, call_id, settings)
    actions.corrections.restore_speech(library, change, settings)
    back = library.load_call(call_id).transcript
    assert [(s.id, s.role, s.name) for s in back.speakers] == [("S1", "customer", "Ryan")]
    assert {w.speaker for w in back.words} == {"S1"}


def test_undoing_who_said_it_on_a_two_party_call_keeps_a_later_swap(library, stored, settings):
    call = library.load_call(stored)
    turn = next(t for t in call.transcript.turns if t.speaker == "S2" and t.word_count > 3)
    change = actions.corrections.reassign_speech(
        library, stored, "S1", start=turn.start, end=turn.end, settings=settings
    )
    actions.corrections.swap_roles(library, stored, settings)
    actions.corrections.restore_speech(library, change, settings)
    back = library.load_call(stored).transcript
    assert [(s.id, s.role) for s in back.speakers] == [("S1", "customer"), ("S2", "agent")]
    assert [w.speaker for w in back.words] == [w.speaker for w in call.transcript.words]


def heard_as_one(library, call_id):
    from reviewer.document import one_voice, stored_document

    doc = stored_document(library, call_id)
    return one_voice(doc["speaker_split"], {s["id"]: s["talk_seconds"] for s in doc["speakers"]})


def test_the_turn_under_a_time_goes_to_the_other_side(library, stored, settings):
    call = library.load_call(stored)
    turn = next(t for t in call.transcript.turns if t.speaker == "S2" and t.word_count > 3)
    before = library.call_row(stored).agent_talk_share
    change = actions.corrections.reassign_speech(
        library, stored, "S1", start=(turn.start + turn.end) / 2, settings=settings
    )
    assert (change.start, change.end, change.words) == (turn.start, turn.end, turn.word_count)
    assert library.call_row(stored).agent_talk_share > before
    assert turn.text in " ".join(
        t.text for t in library.load_call(stored).transcript.turns if t.speaker == "S1"
    )
    with pytest.raises(ReviewerError, match="No one but S1 speaks at"):
        actions.corrections.reassign_speech(
            library, stored, "S1", start=call.transcript.duration + 30, settings=settings
        )
    actions.corrections.restore_speech(library, change, settings)
    assert library.call_row(stored).agent_talk_share == pytest.approx(before)


def test_full_text_search_finds_turns(library, stored):
    hits = library.search("discount")
    assert hits and hits[0].call_id == stored and "discount" in hits[0].text.lower()
    assert hits[0].role == "agent"
    assert library.search("cancelling")  # stemmed: finds "cancel"
    assert library.search("zebra crossing") == []
    assert library.search('"; DROP TABLE calls; --') == []
    # One query language on both databases: every word must be there; "or", "-" and quotes are
    # no operators (PostgreSQL's websearch syntax read "zebra or cancel" as either word).
    for query in ("zebra or discount", "zebra OR discount", '"zebra" | discount', "discount -zebra"):
        assert library.search(query) == [] and library.calls_saying(query) == [], query
    assert library.calls_saying("discount") == [stored]


def test_resolve_by_number_name_or_prefix(library, stored):
    assert library.resolve(str(stored)) == stored
    assert library.resolve("pushback stereo.wav") == stored
    assert library.resolve("pushback") == stored
    with pytest.raises(ReviewerError, match="No call"):
        library.resolve("nothing like it")


@pytest.mark.sqlite_only("an old library is a SQLite file, made here with SQLite")
def test_migrations_upgrade_an_old_library_keeping_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    db = Database(sqlite3.connect(str(path), isolation_level=None))
    migrations.apply(db, stop_before="m002_comment_acknowledgement")
    db["calls"].insert({"content_hash": "h", "name": "old.wav", "duration_ms": 60000})
    db["comments"].insert({"call_id": 1, "start_ms": 1000, "text": "kept", "category": "other"})
    assert "reply" not in db["comments"].columns_dict
    db.conn.close()
    with actions.library.open_library(path) as lib:  # as the app and the command line open it
        assert "reply" in lib.db["comments"].columns_dict
        assert [c.text for c in lib.comments(1)] == ["kept"]
        assert lib.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        applied = [m.name for m in migrations.applied(lib.db)]
        assert applied == [
            "m001_initial",
            "m002_comment_acknowledgement",
            "m003_agent_lookup_index",
            "m004_heard_overlaps",
            "m005_refusal_labels",
            "m006_phrase_trackers",
            "m007_scorecards",
            "m008_clips",
            "m009_shared_library",
            "m010_refusal_request_time",
            "m011_voice_profiles",
            "m012_concept_trackers",
            "m013_transcript_edits",
            "m014_call_glance",
            "m015_review_flow",
        ]
        assert lib.list_calls()[0].name == "old.wav"
        assert lib.load_call(1).transcript.overlaps == []  # calls stored before overlaps were kept
        assert lib.refusal_labels(1) == [] and "confidence" in lib.db["markers"].columns_dict
        assert [c.name for c in actions.scores.scorecards(lib)] == ["Customer care"]  # the default one ships
        assert lib.list_calls()[0].score is not None  # and scores the calls already there
    db = Database(sqlite3.connect(str(path), isolation_level=None))
    apply_migrations(db)  # idempotent
    db.conn.close()


@pytest.mark.sqlite_only("a file that is not a SQLite database")
def test_a_file_that_is_not_a_library_is_refused(tmp_path):
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("just text\n" * 100)
    with pytest.raises(ReviewerError, match="not a usable Reviewer library"):
        open_library(bogus)
    assert bogus.read_text().startswith("just text")


@pytest.mark.sqlite_only("the folders a library file is made in")
def test_library_folder_is_private_but_an_existing_folder_is_left_alone(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    with open_library(shared / "team.sqlite"):
        pass
    assert shared.stat().st_mode & 0o777 == 0o755
    with open_library(tmp_path / "new" / "deeper" / "mine.sqlite") as lib:
        assert lib.path.parent.stat().st_mode & 0o777 == 0o700
        assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


def test_a_deleted_comment_is_restored_exactly_for_undo(library, stored):
    cid = library.add_comment(
        stored, start=4.0, end=6.5, text="Warm greeting", author="Dana", category="praise"
    )
    library.update_comment(cid, acknowledged_at="2026-11-22T10:00:00+00:00", reply="Thanks")
    before = library.comment(cid)
    library.delete_comment(cid)
    assert library.comments(stored) == []
    assert library.restore_comment(before) == cid
    assert library.comment(cid) == before


def test_review_status_and_agent_names(library, stored):
    library.set_review_status(stored, "submitted")
    assert library.list_calls()[0].review_status == "submitted"
    with pytest.raises(ReviewerError, match="Unknown review status"):
        library.set_review_status(stored, "done-ish")
    assert library.agents() == ["Ryan"]  # from "my name is Ryan" in the call's opening


def test_an_uncertain_split_says_so_even_below_ninety_percent():
    """A voice that absorbs the other on a real call shows as mostly one voice lecturing: 85 %
    of the talk with a long monologue is flagged; 85 % in a lively exchange, or a stereo call, is not."""
    from reviewer.document import one_voice

    talk = {"S1": 170.0, "S2": 30.0}  # 85 %
    assert one_voice("diarization", talk, longest_monologue=95.0) == ("S1", 0.85)
    assert one_voice("diarization", talk, longest_monologue=12.0) is None
    assert one_voice("channels", talk, longest_monologue=95.0) is None
    assert one_voice("diarization", {"S1": 185.0, "S2": 15.0}) == ("S1", 0.925)


def test_calls_sort_only_by_their_columns(library, stored):
    rows = library.list_calls(order_by="agent_talk_share desc, id")
    assert [r.id for r in rows] == [stored]
    for order in ("id desc limit 0", "name; DROP TABLE calls", "(SELECT 1)", "agent_talk_share sideways"):
        with pytest.raises(ReviewerError, match="Cannot sort calls by"):
            library.list_calls(order_by=order)
    assert [r.id for r in library.list_calls()] == [stored]


def test_reading_the_library_never_waits_for_a_writer(stored, library):
    """A long import holds the write lock: `calls` and `show` still open the library and read
    it at once (only a library that needs migrating takes the lock to migrate; noting that no call
    waits to be judged at a glance is left for a later opening)."""
    import time

    with open_library(library.path) as writer, writer.write():  # the lock an import takes
        started = time.monotonic()
        with actions.library.open_library(library.path) as reader:  # as the front doors open it
            assert [r.id for r in reader.list_calls()] == [stored]
            assert reader.load_call(stored).transcript.words
            assert not reader.glance_caught_up()
        assert time.monotonic() - started < 5
    with actions.library.open_library(library.path) as reader:
        assert reader.glance_caught_up()  # noted now that nothing else is writing


def test_turn_at_is_one_rule_for_the_library_and_the_review_page():
    """The shortest turn under a moment (a backchannel inside a longer turn), else the nearest
    within ``near``; narrowed to some speakers, or to everyone but one."""
    from reviewer.analysis.turns import turn_at
    from reviewer.model import Turn

    long = Turn("S1", 0.0, 10.0, "a long turn", 3)
    mm = Turn("S2", 4.0, 4.5, "mm-hm", 1)
    later = Turn("S2", 12.0, 14.0, "later on", 2)
    turns = [long, mm, later]
    assert turn_at(turns, 4.2) == mm
    assert turn_at(turns, 4.2, not_by="S2") == long
    assert turn_at(turns, 4.2, speakers={"S1"}) == long
    assert turn_at(turns, 10.04) == long  # 0.05 s either side counts as under
    assert turn_at(turns, 11.0) is None
    assert turn_at(turns, 11.6, near=0.5) == later
    assert turn_at(turns, 11.0, near=0.5) is None
    assert turn_at(turns, 11.0, speakers={"S1"}, near=1.0) == long
