"""Who is never counted: browsers that ask not to be tracked (Global Privacy Control, Do Not Track) and
known crawlers. The same rule on the server as in static/js/insights.js, which sends nothing for them."""

from functools import lru_cache

from crawleruseragents import is_crawler
from werkzeug.datastructures import Headers


@lru_cache(maxsize=2048)
def is_known_crawler(user_agent: str) -> bool:
    """True for a user agent on the crawler-user-agents list (remembered: browsers share a few hundred)."""
    return is_crawler(user_agent)


def asks_not_to_be_tracked(headers: Headers) -> bool:
    """True when the browser sends `Sec-GPC: 1` or `DNT: 1`."""
    return headers.get("Sec-GPC", "").strip() == "1" or headers.get("DNT", "").strip() == "1"


def counted(headers: Headers) -> bool:
    """True when this request may add to the counters: no opt-out signal, a user agent, not a crawler."""
    user_agent = headers.get("User-Agent", "")
    return bool(user_agent) and not asks_not_to_be_tracked(headers) and not is_known_crawler(user_agent[:512])
