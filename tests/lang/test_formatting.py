from datetime import UTC, datetime

from azshell.lang.formatting import (
    FormattedText,
    format_cell,
    format_html,
    format_objects,
    register_view,
    unregister_view,
)
from azshell.lang.values import PSHashtable, PSObject


def test_scalars_print_raw():
    d = datetime(2026, 11, 27, 3, 18, 12, tzinfo=UTC)
    assert format_objects([1, "two", True, None, d]) == "1\ntwo\nTrue\nFriday, November 27, 2026 3:18:12 AM\n"
    assert format_objects([None]) == ""
    assert format_objects([]) == ""


def test_hashtable_name_value_table():
    text = format_objects([PSHashtable({"a": 1, "bb": "x"})])
    assert text == ("\nName                           Value\n----                           -----\n"
                    "a                              1\nbb                             x\n\n")


def test_small_objects_table_numbers_right_aligned():
    objs = [PSObject({"Name": "a", "Count": 2, "Tags": [1, 2, 3, 4, 5]}), PSObject({"Name": "bbbbbbbb", "Count": 12,
                                                                                  "Tags": []})]
    assert format_objects(objs) == ("\nName     Count Tags\n----     ----- ----\na            2 {1, 2, 3, 4…}\n"
                                    "bbbbbbbb    12 {}\n\n")


def test_wide_objects_list():
    o = PSObject({"a": 1, "b": 2, "c": 3, "d": 4, "eeeee": "x"})
    assert format_objects([o]) == "\na     : 1\nb     : 2\nc     : 3\nd     : 4\neeeee : x\n\n"


def test_new_header_when_type_changes():
    text = format_objects([PSObject({"A": 1}), PSObject({"A": 2}), PSObject({"B": "x"})])
    assert text.count("----") == 0 or text.count("\nA\n-\n") == 1
    assert "\nB\n-\nx\n" in text


def test_nested_cells():
    assert format_cell(PSObject({"x": 1})) == "@{x=1}"
    assert format_cell(PSHashtable()) == "System.Collections.Hashtable"
    assert format_cell(["a", "b"]) == "{a, b}"


def test_registered_view_and_forced_views():
    register_view("Test.Thing", "list", ["Name", "Id"], labels={"Id": "Identifier"})
    try:
        o = PSObject({"Name": "n", "Id": 7, "Hidden": 1}, type_names=["Test.Thing"])
        assert format_objects([o]) == "\nName       : n\nIdentifier : 7\n\n"
        table = format_objects([o], view="table", properties=["Name", "Hidden"])
        assert "Name Hidden" in table
    finally:
        unregister_view("Test.Thing")


def test_table_truncates_to_width():
    o = PSObject({"Name": "x" * 200, "B": 1})
    lines = format_objects([o], width=60).splitlines()
    assert max(len(line) for line in lines) <= 60
    assert any(line.rstrip().endswith("…") or "…" in line for line in lines)


def test_formatted_text_passthrough():
    assert format_objects([FormattedText("\nraw\n\n")]) == "\nraw\n\n"


def test_html():
    assert format_html(["x"]) is None
    html = format_html([PSObject({"a": "<b>"})])
    assert html is not None and "&lt;b&gt;" in html and "<table>" in html
