"""The French catalog of the course's messages: complete, current, placeholders intact, and
every module of checks speaking through it. (What each part prints in French is tested beside
it: test_i18n_framework, test_i18n_checks, test_i18n_networks, test_i18n_beyond_resnet.)"""
from pathlib import Path

from babel.messages.catalog import Catalog

from course.checks.exercise import module_name
from course.translations import extract_messages, message_problems, placeholder_problems

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_of_the_course_has_a_current_french_translation():
    assert message_problems("fr") == []


def test_a_translation_whose_placeholders_differ_is_reported():
    catalog = Catalog(locale="fr")
    catalog.add("got {got}, expected {expected}", "obtenu {obtenu}, attendu {expected}")
    catalog.add("{name} is not done yet", "{name} n'est pas encore fait")
    catalog.add("{name}: {count} cases", "{name} : {count} cas")
    [problem] = placeholder_problems(catalog)
    assert "'got {got}, expected {expected}'" in problem and "['expected', 'obtenu']" in problem


def test_every_module_of_checks_speaks_through_gettext():
    """A module whose messages are not marked would print English in the French edition."""
    used = {path for m in extract_messages() for path, _ in m.locations}
    for notebook in sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb")):
        module = module_name(notebook).replace(".", "/") + ".py"
        assert module in used, f"{module} has no _() or N_() message"
