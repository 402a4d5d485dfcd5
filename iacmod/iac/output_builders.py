"""Building Pulumi Output expressions, shared by the Pulumi Output rules (pulumi-output-string,
pulumi-output-json): ``Output.concat``/``Output.format`` from f-strings and ``+`` chains, the
``Output`` class in the file's import style, whether a node sits in a ``json.dumps`` document,
and the message of a detect-only finding about values that may be Outputs.
"""

from __future__ import annotations

from typing import cast

import libcst as cst
from libcst.metadata import Assignment

from iacmod.edit.symbols import reference
from iacmod.iac.outputs import Doubt, Kind, OutputAnalysis
from iacmod.rule import ImportSpec, Rule


def symbol(
    rule: Rule, at: cst.CSTNode, qualified: str, *also: str
) -> tuple[cst.BaseExpression, tuple[ImportSpec, ...]] | None:
    """An expression naming ``qualified`` at ``at`` in the file's import style (reusing its
    import of the symbol or of its module, else importing the module), and the imports it needs;
    None when the module's name is taken."""
    found = reference(rule, at, qualified, *also, import_module=True)
    return None if found is None else (cst.parse_expression(found[0]), found[1])


def output_class(rule: Rule, at: cst.CSTNode) -> tuple[cst.BaseExpression, tuple[ImportSpec, ...]] | None:
    """``pulumi.Output`` (or ``Output``, ``p.Output``, ... as the file imports it) at ``at``."""
    return symbol(rule, at, "pulumi:Output", "pulumi.output:Output")


def _string_prefix(node: cst.FormattedString) -> tuple[str, str]:
    """(prefix without f, quote) of an f-string."""
    prefix = node.start[: len(node.start) - len(node.end)]
    return prefix.replace("f", "").replace("F", ""), node.end


def fstring_parts_ok(node: cst.FormattedString) -> bool:
    """Whether every replacement field can be expressed in ``str.format`` syntax."""
    for part in node.parts:
        if isinstance(part, cst.FormattedStringExpression):
            if part.equal is not None:
                return False
            for spec in part.format_spec or ():
                if not isinstance(spec, cst.FormattedStringText):
                    return False
    return True


def arg_list(values: list[cst.BaseExpression]) -> list[cst.Arg]:
    args = []
    for i, value in enumerate(values):
        comma = (
            cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if i < len(values) - 1 else cst.MaybeSentinel.DEFAULT
        )
        args.append(cst.Arg(value=value, comma=comma))
    return args


def strip_parens(expr: cst.BaseExpression) -> cst.BaseExpression:
    if getattr(expr, "lpar", None) and len(expr.lpar) == 1:
        return expr.with_changes(lpar=(), rpar=())
    return expr


def fstring_to_output(
    analysis: OutputAnalysis, node: cst.FormattedString, output: cst.BaseExpression
) -> cst.Call | None:
    """``f"arn:{b.arn}/*"`` -> ``Output.concat("arn:", b.arn, "/*")`` when every interpolated value
    is certainly a ``str``; otherwise ``Output.format("arn:{}/*", b.arn)`` (same semantics as the
    f-string for any type). None when the f-string cannot be expressed that way."""
    if not fstring_parts_ok(node):
        return None
    prefix, quote = _string_prefix(node)
    exprs = [p for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
    all_str = all(p.conversion is None and not p.format_spec and analysis.classify(p.expression).is_str for p in exprs)
    if all_str:
        values: list[cst.BaseExpression] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                if part.value:
                    text = part.value.replace("{{", "{").replace("}}", "}")
                    values.append(cst.SimpleString(f"{prefix}{quote}{text}{quote}"))
            else:
                assert isinstance(part, cst.FormattedStringExpression)  # the only other kind of part
                values.append(strip_parens(part.expression))
        func = cst.Attribute(output, cst.Name("concat"))
        return cst.Call(func, arg_list(values), lpar=node.lpar, rpar=node.rpar)
    template = []
    args: list[cst.BaseExpression] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            template.append(part.value)
        else:
            assert isinstance(part, cst.FormattedStringExpression)  # the only other kind of part
            field = "{"
            if part.conversion:
                field += "!" + part.conversion
            if part.format_spec:
                # cast: fstring_parts_ok checked that the format spec is plain text
                field += ":" + "".join(cast(cst.FormattedStringText, s).value for s in part.format_spec)
            template.append(field + "}")
            args.append(strip_parens(part.expression))
    fmt = cst.SimpleString(f"{prefix}{quote}{''.join(template)}{quote}")
    func = cst.Attribute(output, cst.Name("format"))
    return cst.Call(func, arg_list([fmt, *args]), lpar=node.lpar, rpar=node.rpar)


def flatten_add(node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    """Operands of an ``a + b + c`` chain (None if the chain has parentheses inside)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = flatten_add(node.left) if not node.left.lpar else [node.left]
        if left is None:
            return None
        return [*left, node.right]
    return [node]


def is_str_call(analysis: OutputAnalysis, node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call)
        and len(node.args) == 1
        and not node.args[0].keyword
        and not node.args[0].star
        and "builtins.str" in analysis.qualified_names(node.func)
    )


def concat_chain(analysis: OutputAnalysis, node: cst.BinaryOperation, output: cst.BaseExpression) -> cst.Call | None:
    """``a.arn + "/*"`` -> ``Output.concat(a.arn, "/*")``; None when it is not certainly a
    string concatenation (``db.port + 1`` adds numbers)."""
    leaves = flatten_add(node)
    if not leaves or len(leaves) < 2:
        return None
    values: list[cst.BaseExpression] = []
    stringy = False
    for leaf in leaves:
        classified = analysis.classify(leaf)
        if classified.is_str or isinstance(leaf, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            stringy = True
        if is_str_call(analysis, leaf):
            assert isinstance(leaf, cst.Call)
            inner = leaf.args[0].value
            if analysis.classify(inner).kind is Kind.OUTPUT:
                stringy = True
                if analysis.classify(inner).is_str:
                    values.append(inner)
                else:
                    values.append(cst.Call(cst.Attribute(inner, cst.Name("apply")), [cst.Arg(cst.Name("str"))]))
                continue
        values.append(leaf)
    if not stringy:
        return None
    # keep line breaks (and comments) between operands: they move after the commas
    args = []
    ops: list[cst.BinaryOperation] = []
    current: cst.BaseExpression = node
    while isinstance(current, cst.BinaryOperation) and len(ops) < len(leaves) - 1:
        ops.append(current)
        current = current.left
    ops.reverse()
    for i, value in enumerate(values):
        if i < len(values) - 1:
            op = cast(cst.Add, ops[i].operator)  # flatten_add: every operator of the chain is +
            ws: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
            if isinstance(op.whitespace_before, cst.ParenthesizedWhitespace):
                ws = op.whitespace_before
            elif isinstance(op.whitespace_after, cst.ParenthesizedWhitespace):
                ws = op.whitespace_after
            args.append(cst.Arg(value=value, comma=cst.Comma(whitespace_after=ws)))
        else:
            args.append(cst.Arg(value=value))
    return cst.Call(cst.Attribute(output, cst.Name("concat")), args, lpar=node.lpar, rpar=node.rpar)


def in_json_document(analysis: OutputAnalysis, node: cst.CSTNode) -> bool:
    """Whether ``node`` is inside the document of a ``json.dumps(...)`` call (pulumi-output-json
    rewrites those as a whole)."""
    child: cst.CSTNode = node
    current = analysis.parent(node)
    while current is not None:
        if (
            isinstance(current, cst.Call)
            and current.args
            and current.args[0] is child
            and analysis.qualified_names(current.func) & {"json.dumps", "pulumi.Output.json_dumps"}
        ):
            return True
        if isinstance(current, (cst.BaseStatement, cst.Lambda)):
            return False
        child = current
        current = analysis.parent(current)
    return False


def in_json_variable_document(analysis: OutputAnalysis, node: cst.CSTNode, depth: int = 0) -> bool:
    """Whether ``node`` is inside a dict/list literal assigned to a local variable that is passed to
    ``json.dumps(...)`` or used inside such a document (pulumi-output-json reports that document
    as a whole)."""
    if depth > 3:
        return False
    child: cst.CSTNode = node
    current = analysis.parent(node)
    while current is not None and not isinstance(current, (cst.BaseStatement, cst.Lambda)):
        if isinstance(current, cst.Assign) and current.value is child and isinstance(child, (cst.Dict, cst.List)):
            if len(current.targets) != 1 or not isinstance(current.targets[0].target, cst.Name):
                return False
            target = current.targets[0].target
            scope = analysis.scope(target)
            if scope is None:
                return False
            for assignment in scope.assignments[target.value]:
                if isinstance(assignment, Assignment) and assignment.node is target:
                    for ref in assignment.references:
                        if in_json_document(analysis, ref.node) or in_json_variable_document(
                            analysis, ref.node, depth + 1
                        ):
                            return True
                        arg = analysis.parent(ref.node)
                        call = analysis.parent(arg) if arg is not None else None
                        if (
                            isinstance(arg, cst.Arg)
                            and isinstance(call, cst.Call)
                            and call.args
                            and call.args[0] is arg
                            and "json.dumps" in analysis.qualified_names(call.func)
                        ):
                            return True
            return False
        child = current
        current = analysis.parent(current)
    return False


def doubts_of(analysis: OutputAnalysis, values: list[cst.BaseExpression]) -> list[Doubt]:
    """The values that may be Outputs (each expression once, in order)."""
    doubts: list[Doubt] = []
    seen: set[str] = set()
    for value in values:
        doubt = analysis.doubt(value)
        if doubt is None:
            continue
        code = cst.Module([]).code_for_node(value)
        if code not in seen:
            seen.add(code)
            doubts.append(doubt)
    return doubts


def doubt_message(what: str, doubts: list[Doubt], problem: str, by_hand: str, rule: str) -> str:
    """A detect-only finding: which values may be Outputs, why iacmod cannot tell, what to do."""
    listed = "; ".join(d.text for d in doubts[:3])
    if len(doubts) > 3:
        listed += f"; and {len(doubts) - 3} more"
    one = len(doubts) == 1
    params: list[str] = []
    hints: list[str] = []
    for d in doubts:
        if d.hint.startswith("param:"):
            if d.hint[6:] not in params:
                params.append(d.hint[6:])
        elif d.hint and d.hint not in hints:
            hints.append(d.hint)
    if params:
        names = ", ".join(f"`{p}`" for p in params)
        hints.insert(0, f"annotate {names} with its resource type or `pulumi.Output[str]`")
    if hints:
        todo = f"{' and '.join(hints[:2])} so that iacmod can check and fix it, or {by_hand}"
    else:
        todo = by_hand
    return (
        f"{what} that may hold {'a Pulumi Output' if one else 'Pulumi Outputs'} iacmod cannot confirm — "
        f"{listed}. If {'it is an Output' if one else 'they are Outputs'}, {problem}: {todo}; if "
        f"{'it is a plain value' if one else 'they are plain values'}, suppress this finding with "
        f"`# iacmod: ignore[{rule}]` (not fixed)"
    )
