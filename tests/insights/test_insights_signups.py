"""Signups and confirmations counted for their article, with the questions opened before signing up;
readers who opt out, and honeypot fills, are not counted. SQLite and PostgreSQL."""

import pytest
from insights_helpers import BROWSER, counters
from sqlalchemy import create_engine, select

from webapp.db.schema import signups, utcnow
from webapp.newsletter.tokens import confirm_token, signing_keys

READER = {"Origin": "http://localhost", "User-Agent": BROWSER}


def sign_up(client, slug: str, email: str, faq_opened: str = "", **headers):
    """Post the article's signup form as a browser does."""
    form = {"email": email, "article": slug, "consent_version": "", "website": "", "faq_opened": faq_opened}
    return client.post("/newsletter/signup", data=form, headers={**READER, **headers})


def today() -> str:
    """Today's UTC date, as the counters store it."""
    return utcnow().date().isoformat()


def test_a_signup_after_opening_questions_counts_for_the_article_and_each_question(app, client, article):
    assert sign_up(client, article.slug, "asker@example.com", "2,1").status_code == 303
    assert sign_up(client, article.slug, "silent@example.com").status_code == 303
    day, slug = today(), article.slug
    assert counters(app.config["DATABASE_URL"]) == {
        ("insight_days", day, slug, "signups"): 2,
        ("insight_days", day, slug, "signups_after_faq"): 1,
        ("insight_faq_days", day, slug, "1", "signups"): 1,
        ("insight_faq_days", day, slug, "2", "signups"): 1,
    }


@pytest.mark.parametrize("field", ["99", "x", "1,1", "0", "-1", "1;2", "1" * 400])
def test_a_nonsense_faq_field_still_counts_the_signup_but_no_question_twice_or_unknown(
    app, client, article, field
):
    assert sign_up(client, article.slug, "odd@example.com", field).status_code == 303
    found = counters(app.config["DATABASE_URL"])
    assert found[("insight_days", today(), article.slug, "signups")] == 1
    faq_signups = {key: value for key, value in found.items() if key[0] == "insight_faq_days"}
    assert all(value == 1 and 1 <= int(key[3]) <= len(article.faq) for key, value in faq_signups.items())


@pytest.mark.parametrize("headers", [{"Sec-GPC": "1"}, {"DNT": "1"}], ids=["gpc", "dnt"])
def test_readers_who_opt_out_sign_up_without_being_counted(app, client, article, headers):
    assert sign_up(client, article.slug, "private@example.com", "1", **headers).status_code == 303
    assert counters(app.config["DATABASE_URL"]) == {}


def test_a_honeypot_fill_is_not_counted(app, client, article):
    form = {"email": "bot@example.com", "article": article.slug, "website": "spam", "faq_opened": "1"}
    assert client.post("/newsletter/signup", data=form, headers=READER).status_code == 303
    assert counters(app.config["DATABASE_URL"]) == {}


def test_a_confirmation_counts_once_for_the_article_of_the_signup(app, client, article):
    sign_up(client, article.slug, "confirmer@example.com")
    engine = create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            nonce = connection.execute(select(signups.c.confirm_nonce)).scalar_one()
    finally:
        engine.dispose()
    token = confirm_token(signing_keys(app.config), nonce, utcnow())
    for _ in range(2):  # the page's script and a click on the button: one confirmation
        assert client.post(f"/newsletter/confirm/{token}", headers=READER).status_code in (200, 303)
    assert counters(app.config["DATABASE_URL"])[("insight_days", today(), article.slug, "confirmed")] == 1
