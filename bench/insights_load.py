"""Issue 20's load: beacon events through the production server, and whether every accepted event was
counted. Straight into the database (`make run`'s SQLite) and through the Redis buffer (the set-up for
several app servers, when a Redis answers on BENCH_REDIS_URL); each with one event per request, as
static/js/insights.js sends them, and with a whole page view's five events per request (view, read,
signup form seen, two questions), the most a batch of one page view holds."""

import os
import re
import sqlite3
import time
import uuid
from pathlib import Path

import servers
import wrk

GOAL = 2000  # events a second
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
# Counts 204s (accepted) and anything else per thread; `done` prints the totals.
EVENTS_LUA = """
threads = {}
counter, accepted, refused = 0, 0, 0
local kinds = {'{"t":"view"}', '{"t":"read"}', '{"t":"cta"}', '{"t":"faq","q":1}', '{"t":"faq","q":2}'}
local per = PER
function setup(thread)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local events = per == 1 and kinds[counter % 5 + 1] or table.concat(kinds, ",")
  local body = '{"a":"ARTICLE","e":[' .. events .. ']}'
  return wrk.format("POST", "/insights/events", {["Content-Type"] = "application/json",
    ["Origin"] = "ORIGIN", ["User-Agent"] = "BROWSER", ["Sec-Fetch-Site"] = "same-origin"}, body)
end
function response(status, headers, body)
  if status == 204 then accepted = accepted + 1 else refused = refused + 1 end
end
function done(summary, latency, requests)
  local a, r = 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted")
    r = r + thread:get("refused")
  end
  io.write(string.format("EVENTS accepted=%d refused=%d\\n", a, r))
end
"""


def counted(database: Path, slug: str) -> int:
    """Every event counted for the article: views, reads, forms seen and questions opened."""
    with sqlite3.connect(database) as db:
        days = db.execute(
            "SELECT coalesce(sum(views + reads + cta_views), 0) FROM insight_days WHERE article_slug = ?",
            (slug,),
        ).fetchone()[0]
        opens = db.execute(
            "SELECT coalesce(sum(opens), 0) FROM insight_faq_days WHERE article_slug = ?", (slug,)
        )
        return days + opens.fetchone()[0]


def redis_answers() -> bool:
    """True when the bench's Redis is up."""
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def load(label: str, instance: Path, env: dict, slug: str, seconds: int, settle: float, per: int) -> None:
    """Start the production server with `env`, send `per` events a request for `seconds`, wait `settle`
    seconds for buffers to flush, stop the server (gracefully), and print rate, latency and counts lost."""
    database = instance / "healthytips.sqlite3"
    before, load_average = counted(database, slug), os.getloadavg()[0]  # the machine is shared: say how busy
    server = servers.start(servers.PRODUCTION, instance, env)
    try:
        lua = EVENTS_LUA.replace("ARTICLE", slug).replace("ORIGIN", server.url).replace("BROWSER", BROWSER)
        lua = lua.replace("PER", str(per))
        result, output = wrk.run_with_output(server.url + "/insights/events", lua=lua, seconds=seconds)
        time.sleep(settle)
    finally:
        servers.stop(server)
    accepted, refused = (int(n) for n in re.search(r"EVENTS accepted=(\d+) refused=(\d+)", output).groups())
    accepted *= per
    stored = counted(database, slug) - before
    rate = accepted / seconds
    lost = max(0, accepted - stored)  # more stored than accepted: requests in flight when wrk stopped
    verdict = "ok" if lost == 0 and refused == 0 and rate >= GOAL else "BELOW GOAL" if lost == 0 else "LOST"
    print(f"  {label:<34} {result.line()}", flush=True)
    print(f"  {'':<34} {rate:>9.0f} events/s accepted (goal >= {GOAL}), {refused} refused, "
          f"{accepted} accepted, {stored} counted, counts lost = {lost} ({verdict}), "
          f"load average {load_average:.1f} before", flush=True)  # fmt: skip


def report(instance: Path, env: dict, slug: str, seconds: int) -> None:
    """Both set-ups, one after the other, on the bench's instance (its SQLite database)."""
    env = {**env, "FLASK_INSIGHTS_RATE_LIMIT": "1000000000 per minute"}
    for per in (1, 5):
        load(f"events -> SQLite, {per} per request", instance, env, slug, seconds, settle=0, per=per)
    if not redis_answers():
        print(f"  events -> Redis buffer: no Redis at {REDIS_URL}: not measured")
        return
    buffered = {
        **env,
        "FLASK_INSIGHTS_REDIS_URL": REDIS_URL,
        "FLASK_INSIGHTS_KEY_PREFIX": f"bench-insights-{uuid.uuid4().hex[:8]}:",
        "FLASK_INSIGHTS_FLUSH_SECONDS": "1",
    }
    for per in (1, 5):
        load(
            f"events -> Redis -> SQLite, {per} per req.", instance, buffered, slug, seconds, settle=3, per=per
        )
