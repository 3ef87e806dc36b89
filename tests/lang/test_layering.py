"""The evaluator's split keeps its old names importable. (That ``azshell.lang`` has no import cycle and imports
nothing Azure is checked for the whole package by ``tests/test_architecture.py``.)"""

from __future__ import annotations


def test_evaluator_keeps_its_names() -> None:
    from azshell.lang import evaluator, pipeline, runtime, state

    for name in evaluator.__all__:
        assert hasattr(evaluator, name), name
    assert evaluator.ScriptBlock is runtime.ScriptBlock
    assert evaluator.Scope is runtime.Scope
    assert evaluator.InvocationContext is pipeline.InvocationContext
    assert issubclass(evaluator.Evaluator, state.EvaluatorState)
