"""The manual stays true to the tree: the layout table, the commands shown, the settings, the links.

Everything here is read from the tree and from the `ita` command itself, so a module, command or
setting added, moved or removed fails a test until docs/ follows it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import shlex
import subprocess
import sys
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from survey_app import config

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
ARCHITECTURE = DOCS / "architecture.md"
#: The top folders: never a row of the layout table themselves.
TOP = ("survey_app", "scoring", "questionnaires", "migrations", "benchmarks", "tests")
#: Markdown files whose relative links must resolve (besides README.md and docs/*.md).
OTHER_MARKDOWN = ("SECURITY.md", "benchmarks/README.md", "questionnaires/definitions/README.md")
#: Where the benchmarks' commands are shown (besides README.md and docs/*.md).
BENCHMARKS_README = ROOT / "benchmarks" / "README.md"
#: Settings the app reads that are not in config.DEFAULTS (each documented in configuration.md).
SETTINGS_OUTSIDE_DEFAULTS = {"INSTANCE_PATH", "LOGIN_RATE_LIMIT"}


def manual_pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- the layout table ------------------------------------------------------------------------

def layout_rows() -> list[str]:
    """The first cell of every row of every table in docs/architecture.md headed `| path |`."""
    cells, in_table = [], False
    for line in read(ARCHITECTURE).splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        first = line.split("|")[1].strip()
        if first.lower() == "path":
            in_table = True
        elif in_table and not set(first) <= set("-: "):
            cells.append(first)
    return cells


def layout_paths() -> list[str]:
    paths = []
    for cell in layout_rows():
        named = re.findall(r"`([^`]+)`", cell)
        assert len(named) == 1, f"a layout row names one path in backticks: {cell!r}"
        paths.append(named[0])
    return paths


def modules_to_list() -> list[str]:
    """What the layout table must cover, by the rule stated in docs/architecture.md."""
    wanted = []
    for top in ("survey_app", "scoring", "questionnaires"):
        wanted += [p.relative_to(ROOT).as_posix() for p in (ROOT / top).rglob("*.py")]
    for top in ("migrations", "benchmarks", "tests"):
        wanted += [p.relative_to(ROOT).as_posix() for p in (ROOT / top).glob("*.py")]
    wanted += [p.relative_to(ROOT).as_posix() + "/" for p in (ROOT / "tests").iterdir()
               if p.is_dir() and not p.name.startswith((".", "__"))]
    wanted.append("migrations/versions/")
    return sorted(wanted)


def uncovered(modules: list[str], listed: set[str]) -> list[str]:
    """The modules with neither a row of their own nor a row of their package's folder."""
    missing = []
    for module in modules:
        package = module.rstrip("/").rsplit("/", 1)[0] + "/"
        if module not in listed and (module.endswith("/") or package not in listed):
            missing.append(module)
    return missing


def test_layout_table_names_every_module():
    missing = uncovered(modules_to_list(), set(layout_paths()))
    assert not missing, (
        "docs/architecture.md's layout table lacks a row for (or a row for the package of): "
        + ", ".join(missing))


def test_every_path_in_the_layout_table_exists_and_is_no_top_folder():
    paths = layout_paths()
    assert len(paths) > 50
    gone = [p for p in paths if not (ROOT / p).exists()]
    assert not gone, f"docs/architecture.md's layout table names paths that do not exist: {gone}"
    assert not [p for p in paths if p.rstrip("/") in TOP], "a top folder is never a layout row"
    assert len(paths) == len(set(paths)), "a path has two rows"


def test_a_package_row_covers_its_own_modules_only():
    listed = {"survey_app/models.py", "survey_app/tools/", "tests/app/"}
    modules = ["survey_app/models.py", "survey_app/urls.py", "survey_app/tools/fonts.py",
               "survey_app/tools/docx_templates/layout.py", "tests/app/", "tests/browser/"]
    assert uncovered(modules, listed) == [
        "survey_app/urls.py", "survey_app/tools/docx_templates/layout.py", "tests/browser/"]


# --- commands shown in bash blocks -----------------------------------------------------------

def bash_commands() -> list[tuple[str, list[str]]]:
    """(page, words) for every command of every ```bash block: continuations joined, commands
    split at `&&` and `;`, each cut at a comment, redirection or pipe, [optional] unwrapped."""
    found = []
    for page in [*manual_pages(), BENCHMARKS_README]:
        name = page.relative_to(ROOT).as_posix()
        for block in re.findall(r"```bash\n(.*?)```", read(page), re.S):
            for line in re.sub(r"\\\n\s*", " ", block).splitlines():
                lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
                lexer.whitespace_split = True
                words, cut = [], False
                for token in lexer:
                    if token in ("&&", ";", "||"):
                        found.append((name, words))
                        words, cut = [], False
                    elif set(token) <= set("(){}"):  # a shell function's definition
                        words, cut = [], True
                    elif cut or set(token) <= set("<>|&"):
                        cut = True
                    elif token.strip("[]"):
                        words.append(token.strip("[]"))
                found.append((name, words))
    return [(name, words) for name, words in found if words]


def ita_main() -> click.Group:
    (entry,) = importlib.metadata.entry_points(group="console_scripts", name="ita")
    return entry.load()


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


def ita_calls() -> list[tuple[str, list[str]]]:
    calls = []
    for page, words in bash_commands():
        if words[0] == "ita" or words[0].endswith("/bin/ita"):
            calls.append((page, words[1:]))
    return calls


def resolve(main: click.Group, words: list[str]) -> tuple[list[str], click.Command, list[str]]:
    command, path = main, []
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        path.append(words[0])
        command = command.commands[words[0]]
        words = words[1:]
    return path, command, words


def test_the_docs_show_ita_commands():
    pages = {page for page, _ in ita_calls()}
    assert {"README.md", "docs/scoring.md", "docs/console.md", "docs/cli.md", "docs/deploy.md"} <= pages


@pytest.mark.parametrize("page,words", ita_calls(), ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_every_ita_command_shown_exists_with_its_options(page, words):
    main = ita_main()
    path, command, rest = resolve(main, words)
    assert not isinstance(command, click.Group), f"{page}: `ita {' '.join(words)}` names no command"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, f"{page}: `ita {' '.join(path)} --help`: {result.output}"
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    unknown = [w.split("=", 1)[0] for w in rest
               if w.startswith("-") and w.split("=", 1)[0] not in known | {"--help", "-h"}]
    assert not unknown, f"{page}: `ita {' '.join(path)}` has no option {unknown}"


def test_cli_page_lists_every_ita_command():
    text = read(DOCS / "cli.md")
    missing = [" ".join(path) for path, _ in leaf_commands(ita_main())
               if not re.search(rf"`ita {re.escape(' '.join(path))}(?=[ `])", text)]
    assert not missing, f"docs/cli.md does not list: {missing}"


def python_calls() -> list[tuple[str, list[str]]]:
    calls = []
    for page, words in bash_commands():
        if re.fullmatch(r"(\.venv/bin/)?python(3(\.\d+)?)?", words[0]):
            calls.append((page, words[1:]))
    return calls


def test_every_python_command_shown_names_a_real_script_module_or_test():
    checked = 0
    for page, args in python_calls():
        if args[:2] == ["-m", "pytest"]:
            for arg in args[2:]:
                if arg.startswith("tests"):
                    assert (ROOT / arg.split("::")[0]).exists(), f"{page}: no {arg}"
        elif args[:1] == ["-m"]:
            assert importlib.util.find_spec(args[1]) is not None, f"{page}: no module {args[1]}"
        elif args and args[0].endswith(".py"):
            assert (ROOT / args[0]).is_file(), f"{page}: no {args[0]}"
        checked += 1
    assert checked >= 3


#: Runs each script given with ``--help`` in one interpreter (the imports they share load once)
#: and prints {script: [exit status, output]} as JSON.
HELP_DRIVER = """
import contextlib, io, json, runpy, sys
done = {}
for script in sys.argv[1:]:
    out, status = io.StringIO(), 0
    sys.argv = [script, "--help"]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            runpy.run_path(script, run_name="__main__")
    except SystemExit as exit:
        status = exit.code or 0
    except Exception as error:  # noqa: BLE001 - reported to the test
        status, _ = 1, out.write(repr(error))
    done[script] = [status, out.getvalue()]
print(json.dumps(done))
"""


def test_benchmark_scripts_shown_answer_help_with_the_options_shown():
    """Each script shown exists; one that reads options (argparse) answers --help with them."""
    shown: dict[str, set[str]] = {}
    for _, args in python_calls():
        if args and args[0].startswith("benchmarks/"):
            shown.setdefault(args[0], set()).update(a for a in args[1:] if a.startswith("--"))
    assert len(shown) >= 5
    with_options = []
    for script, options in sorted(shown.items()):
        assert (ROOT / script).is_file(), f"no {script}"
        if "argparse" in read(ROOT / script):
            with_options.append(script)
        else:
            assert not options, f"{script} reads no options, but is shown with {options}"
    ran = subprocess.run([sys.executable, "-c", HELP_DRIVER, *with_options], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    for script, (status, output) in json.loads(ran.stdout.splitlines()[-1]).items():
        assert status == 0, f"{script} --help: {output[-2000:]}"
        unknown = [o for o in shown[script] if not re.search(rf"{re.escape(o)}\b", output)]
        assert not unknown, f"{script} has no option {unknown}"


# --- settings ---------------------------------------------------------------------------------

def test_configuration_page_documents_every_setting_and_only_real_ones():
    text = read(DOCS / "configuration.md")
    named = set(re.findall(r"`ITA_([A-Z0-9_]+)", text))
    real = set(config.DEFAULTS) | SETTINGS_OUTSIDE_DEFAULTS
    assert not real - named, f"docs/configuration.md lacks: {sorted(real - named)}"
    assert not named - real, f"docs/configuration.md names unknown settings: {sorted(named - real)}"


# --- size and links ---------------------------------------------------------------------------

def test_readme_is_the_front_door():
    lines = read(README).splitlines()
    assert len(lines) <= 260, f"README.md has {len(lines)} lines; the manual belongs in docs/"
    for page in ("scoring", "console", "respondents", "configuration", "security", "architecture",
                 "cli", "testing", "deploy"):
        assert f"(docs/{page}.md" in read(README), f"README.md does not link docs/{page}.md"


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LMN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, seen = set(), {}
    text = re.sub(r"```.*?```", "", read(path), flags=re.S)
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", read(path), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'(?:src|href)="([^"]+)"', text)


def test_slug_matches_github():
    assert slug("`--format json`") == "--format-json"
    assert slug("The published result: how an office enters NACC's figures, and what changes") == (
        "the-published-result-how-an-office-enters-naccs-figures-and-what-changes")
    assert slug("Tested in a real browser: `tests/browser/`") == "tested-in-a-real-browser-testsbrowser"


@pytest.mark.parametrize("page", [*manual_pages(), *(ROOT / p for p in OTHER_MARKDOWN)],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_points_to_a_file_and_anchor_that_exist(page):
    broken = []
    for link in links(page):
        if re.match(r"[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        file = (page.parent / target).resolve() if target else page
        if not file.exists():
            broken.append(link)
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(link)
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"
