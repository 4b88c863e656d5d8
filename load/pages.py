"""What a list page's answer says, read without Locust (the recorder runs inside it;
the tests read this plainly): how many users it holds."""

import json


def page_size(response) -> int | None:
    """Returns how many users a list page holds (a JSON list, or the list under "items",
    "users" or "data"); None when the answer is not such a page."""
    try:
        body = json.loads(response.text or "null")
    except (ValueError, AttributeError, TypeError):
        return None
    if isinstance(body, dict):
        body = next((body[k] for k in ("items", "users", "data") if isinstance(body.get(k), list)), None)
    return len(body) if isinstance(body, list) else None
