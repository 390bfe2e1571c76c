"""Walk a page with the keyboard alone, checking that the focus can be seen."""

from __future__ import annotations

#: What the focused element looks like: its own outline / box-shadow, or its option's label's
#: (a radio button draws its focus on the whole option, ita.css ``.opt:has(:focus-visible)``).
_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const shows = e => { if (!e) return false; const s = getComputedStyle(e);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
            || (s.boxShadow && s.boxShadow !== 'none'); };
    return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
            text: (el.innerText || el.value || '').trim().slice(0, 40),
            visible: el.matches(':focus-visible') && (shows(el) || shows(el.closest('label')))};
}"""


def focused(page) -> dict | None:
    return page.evaluate(_FOCUS)


def tab_to(page, want, *, limit: int = 400) -> dict:
    """Press Tab until ``want(focused)`` holds; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now is not None and now["visible"], f"focus not visible: {now}"
        if want(now):
            return now
    raise AssertionError("never reached the wanted element with Tab")


def answer_questionnaire_by_keyboard(page, submit_text: str) -> int:
    """Answer every radio group with Tab and Space (every third with an arrow key, which
    moves to and picks the next option), then Enter on the submit button; return the count."""
    answered: set[str] = set()
    for _ in range(600):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now is not None and now["visible"], f"focus not visible: {now}"
        if now["tag"] == "input" and now["type"] == "radio" and now["name"] not in answered:
            page.keyboard.press("ArrowDown" if len(answered) % 3 == 2 else "Space")
            assert page.evaluate(
                "() => document.activeElement.checked"), f"{now['name']} not picked"
            answered.add(now["name"])
        elif now["tag"] == "button" and now["text"] == submit_text:
            page.keyboard.press("Enter")
            return len(answered)
    raise AssertionError("never reached the submit button with Tab")
