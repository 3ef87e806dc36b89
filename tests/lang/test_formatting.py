import html as html_module
import re
from datetime import UTC, datetime

from azshell.lang.formatting import (
    FormattedText,
    ViewTable,
    format_cell,
    format_html,
    format_objects,
)
from azshell.lang.values import PSHashtable, PSObject


def test_scalars_print_raw():
    d = datetime(2026, 11, 27, 3, 18, 12, tzinfo=UTC)
    assert format_objects([1, "two", True, None, d], views=None) == (
        "1\ntwo\nTrue\nFriday, November 27, 2026 3:18:12 AM\n")
    assert format_objects([None], views=None) == ""
    assert format_objects([], views=None) == ""


def test_hashtable_name_value_table():
    text = format_objects([PSHashtable({"a": 1, "bb": "x"})], views=None)
    assert text == ("\nName                           Value\n----                           -----\n"
                    "a                              1\nbb                             x\n\n")


def test_small_objects_table_numbers_right_aligned():
    objs = [PSObject({"Name": "a", "Count": 2, "Tags": [1, 2, 3, 4, 5]}), PSObject({"Name": "bbbbbbbb", "Count": 12,
                                                                                  "Tags": []})]
    assert format_objects(objs, views=None) == (
        "\nName     Count Tags\n----     ----- ----\na            2 {1, 2, 3, 4…}\nbbbbbbbb    12 {}\n\n")


def test_wide_objects_list():
    o = PSObject({"a": 1, "b": 2, "c": 3, "d": 4, "eeeee": "x"})
    assert format_objects([o], views=None) == "\na     : 1\nb     : 2\nc     : 3\nd     : 4\neeeee : x\n\n"


def test_new_header_when_type_changes():
    text = format_objects([PSObject({"A": 1}), PSObject({"A": 2}), PSObject({"B": "x"})], views=None)
    assert text.count("----") == 0 or text.count("\nA\n-\n") == 1
    assert "\nB\n-\nx\n" in text


def test_nested_cells():
    assert format_cell(PSObject({"x": 1})) == "@{x=1}"
    assert format_cell(PSHashtable()) == "System.Collections.Hashtable"
    assert format_cell(["a", "b"]) == "{a, b}"


def test_registered_view_and_forced_views():
    views = ViewTable()
    views.register("Test.Thing", "list", ["Name", "Id"], labels={"Id": "Identifier"})
    o = PSObject({"Name": "n", "Id": 7, "Hidden": 1}, type_names=["Test.Thing"])
    assert format_objects([o], views=views) == "\nName       : n\nIdentifier : 7\n\n"
    table = format_objects([o], view="table", properties=["Name", "Hidden"], views=views)
    assert "Name Hidden" in table
    # without the table (or with another one) the object formats by the plain rules
    assert format_objects([o], views=None) == format_objects([o], views=ViewTable())
    assert "Hidden" in format_objects([o], views=None)


def test_view_table_lookup_and_unregister():
    views = ViewTable()
    views.register("Test.Base", "table", ["Name"])
    derived = PSObject({"Name": "n", "Id": 7}, type_names=["Test.Derived", "Test.Base"])
    view = views.view_for(derived)
    assert view is not None and view.kind == "table" and [c.label for c in view.columns] == ["Name"]
    assert "test.base" in views and "Test.Derived" not in views and len(views) == 1
    views.unregister("TEST.BASE")
    assert views.view_for(derived) is None and len(views) == 0


def test_table_truncates_to_width():
    o = PSObject({"Name": "x" * 200, "B": 1})
    lines = format_objects([o], width=60, views=None).splitlines()
    assert max(len(line) for line in lines) <= 60
    assert any(line.rstrip().endswith("…") or "…" in line for line in lines)


def test_formatted_text_passthrough():
    assert format_objects([FormattedText("\nraw\n\n")], views=None) == "\nraw\n\n"


def test_html():
    assert format_html(["x"], views=None) is None
    html = format_html([PSObject({"a": "<b>"})], views=None)
    assert html is not None and "&lt;b&gt;" in html and "<table>" in html


# ------------------------------------------------------------------------------------------ HTML (Jupyter)
def _explained(type_name: str) -> PSObject:
    """An object with many properties whose text view is a purpose-built, laid-out explanation."""
    o = PSObject({f"p{i}": PSHashtable({"k": i}) for i in range(23)}, type_names=[type_name])
    o.methods["tostring"] = lambda *a: "Header\n  typ  JWT\n         ↳ the kind of <token>\nSignature  ✓ valid"
    return o


def test_html_of_a_text_view_keeps_its_layout():
    views = ViewTable()
    views.register("Test.Explained", "text")
    html = format_html([_explained("Test.Explained")], views=views)
    assert html == ("<pre>Header\n  typ  JWT\n         ↳ the kind of &lt;token&gt;\nSignature  ✓ valid</pre>")
    two = format_html([_explained("Test.Explained"), _explained("Test.Explained")], views=views)
    assert two is not None and "<table" not in two and two.count("Signature") == 2


def test_html_headers_align_with_their_cells():
    objs = [PSObject({"Name": "a", "Count": 2}), PSObject({"Name": "bb", "Count": 12})]
    html = format_html(objs, views=None)
    assert html is not None
    assert '<th style="text-align:left">Name</th><th style="text-align:right">Count</th>' in html
    assert '<td style="text-align:left">a</td><td style="text-align:right">2</td>' in html
    assert "<th>" not in html  # never left to the notebook's stylesheet (JupyterLab right-aligns th)


def test_html_group_by_view_heads_each_table():
    views = ViewTable()
    views.register("Test.Member", "table", ["Name"], group_by="TypeName")
    objs = [PSObject({"Name": n, "TypeName": t}, type_names=["Test.Member"]) for n, t in
            (("a", "X"), ("b", "X"), ("c", "Y"))]
    html = format_html(objs, views=views)
    assert html is not None and html.count("<table>") == 2 and "<b>TypeName:</b> Y" in html


def test_every_custom_view_renders_as_its_text_shows_it():
    """Each view registered by azshell's commands: a text (or wide) view is that text in HTML, never the generic
    property table; a table or list view shows the view's columns, not every property."""
    from azshell.session import Session

    session = Session(state=":memory:")
    session.registry.load_all()
    views = session.registry.views
    kinds = views.kinds()
    # Show-Token, Test-AzAccess, Select-String, the tutorial step
    assert {"azshell.tokeninfo", "azshell.accessdecision", "microsoft.powershell.commands.matchinfo",
            "azshell.tutorialstep"} <= {k for k, v in kinds.items() if v == "text"}
    for type_name, kind in kinds.items():
        obj = _explained(type_name)
        html = format_html([obj], views=views)
        assert html is not None, type_name
        if kind in ("text", "wide"):
            text = format_objects([obj], views=views).strip("\n")
            assert html == f"<pre>{html_module.escape(text)}</pre>", type_name
            continue
        view = views.view_for(obj)
        assert view is not None
        labels = [c.label for c in view.columns] or [f"p{i}" for i in range(23)]
        heads = re.findall(r"<th[^>]*>([^<]*)</th>", html)
        assert heads == [html_module.escape(lbl) for lbl in labels], type_name
