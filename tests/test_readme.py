"""The README's two commands stay true: CI runs the same test command the README shows."""

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_starts_with_exactly_two_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert "ita demo" in commands[0] and "ita serve" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_pictures_of_the_product_follow_the_two_commands():
    """Right after the commands block: screenshots made by tests/browser, which exist."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split("```bash\n", 1)[1].split("```\n", 1)[1].lstrip()
    assert after.startswith("<p>\n<img ")
    pictures = re.findall(r'<img src="([^"]+)"', after.split("</p>", 1)[0])
    assert len(pictures) >= 2
    for picture in pictures:
        assert picture.startswith("docs/screenshots/") and (ROOT / picture).is_file(), picture
    assert "pytest tests/browser --screenshots" in after.split("\n## ", 1)[0]
