"""The counters store on SQLite and PostgreSQL: concurrent upserts lose nothing and never deadlock, a
flush is applied once, and the sums read back are the increments written."""

import threading
from datetime import date

from insights_helpers import counters

from webapp.insights import counts, store

DAY = date(2026, 11, 30)


def batch(slugs: list[str], question: int) -> counts.Counts:
    """Increments touching several articles, questions and a source, in the order given."""
    added = counts.Counts()
    for slug in slugs:
        added[counts.article(DAY, slug, "views")] += 1
        added[counts.article(DAY, slug, "reads")] += 1
        added[counts.faq(DAY, slug, question, "opens")] += 1
    added[counts.source(DAY, "referrer", "news.example")] += 1
    return added


def test_concurrent_batches_from_many_threads_add_up_exactly(app):
    slugs = ["a-first", "b-second", "c-third"]
    threads, rounds, errors = 8, 40, []

    def work(number: int) -> None:
        order = slugs if number % 2 else slugs[::-1]  # opposite orders: rows must still lock in one order
        with app.app_context():
            for turn in range(rounds):
                try:
                    store.add(batch(order, 1 + turn % 2))
                except Exception as error:  # noqa: BLE001 - collected and asserted below
                    errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    found = counters(app.config["DATABASE_URL"])
    total = threads * rounds
    for slug in slugs:
        assert found[("insight_days", DAY.isoformat(), slug, "views")] == total
        assert found[("insight_days", DAY.isoformat(), slug, "reads")] == total
        assert found[("insight_faq_days", DAY.isoformat(), slug, "1", "opens")] == total // 2
        assert found[("insight_faq_days", DAY.isoformat(), slug, "2", "opens")] == total // 2
    assert found[("insight_source_days", DAY.isoformat(), "referrer", "news.example", "views")] == total


def test_a_flush_id_is_applied_once(app):
    flush_id = store.new_flush_id()
    with app.app_context():
        assert store.add(batch(["a-first"], 1), flush_id=flush_id) is True
        assert store.add(batch(["a-first"], 1), flush_id=flush_id) is False
    assert counters(app.config["DATABASE_URL"])[("insight_days", DAY.isoformat(), "a-first", "views")] == 1


def test_sums_over_a_range_leave_out_days_outside_it(app):
    with app.app_context():
        for day, views in ((date(2026, 11, 1), 3), (date(2026, 11, 2), 4), (date(2026, 11, 3), 5)):
            store.add(counts.Counts({counts.article(day, "a-first", "views"): views}))
        assert store.totals(date(2026, 11, 2), date(2026, 11, 3))["a-first"]["views"] == 9
        assert store.daily("views", date(2026, 11, 1), date(2026, 11, 2)) == {
            "a-first": {date(2026, 11, 1): 3, date(2026, 11, 2): 4}
        }


def test_a_day_with_only_question_opens_still_has_its_article_row(app):
    with app.app_context():
        store.add(counts.Counts({counts.faq(DAY, "a-first", 3, "opens"): 2}))
        rows = [tuple(row) for row in store.rows()]
    assert rows == [(DAY, "a-first", 0, 0, 2, 0, 0, 0)]
