"""A small evaluator for the SurveyJS expression forms our questionnaires use.

Supported: comparisons (= == != <> > < >= <=), `and` / `or` (also && ||), `!` / `not`,
`contains`, `notcontains`, `empty`, `notempty`, `anyof`, `allof`, parentheses, variables
`{name}` (and `{name.key}` into matrix/multiple-text answers), strings, numbers,
true/false/null, and arrays `['a', 'b']`. Semantics follow survey-core's OperandMaker
(case-insensitive, trimmed string comparison; numeric strings equal numbers; an empty
array equals a missing value). Anything else is a syntax error, reported when the
questionnaire is saved, never guessed at submit time.
"""
import re

__all__ = ["ExpressionError", "parse", "evaluate", "variables"]


class ExpressionError(ValueError):
    pass


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<var>\{[^{}]+\})
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>>=|<=|==|!=|<>|&&|\|\||=|>|<|!|\(|\)|\[|\]|,)
    | (?P<word>[^\s()\[\],'"=<>!{}]+)
    )""",
    re.VERBOSE,
)

_WORD_OPS = {
    "and": "and", "or": "or", "not": "!", "contains": "contains", "notcontains": "notcontains",
    "empty": "empty", "notempty": "notempty", "anyof": "anyof", "allof": "allof",
    "equal": "=", "notequal": "!=", "greater": ">", "less": "<", "greaterorequal": ">=", "lessorequal": "<=",
}
_SYMBOL_OPS = {"==": "=", "<>": "!=", "&&": "and", "||": "or"}
_COMPARISONS = {"=", "!=", ">", "<", ">=", "<=", "contains", "notcontains", "anyof", "allof"}


def _tokenize(text):
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"无法识别的内容：“{text[pos:pos + 10]}”")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "var":
            tokens.append(("var", value[1:-1].strip()))
        elif kind == "str":
            tokens.append(("const", value[1:-1]))
        elif kind == "num":
            tokens.append(("const", float(value) if "." in value else int(value)))
        elif kind == "op":
            tokens.append(("op", _SYMBOL_OPS.get(value, value)))
        else:
            low = value.lower()
            if low in _WORD_OPS:
                tokens.append(("op", _WORD_OPS[low]))
            elif low in ("true", "false"):
                tokens.append(("const", low == "true"))
            elif low in ("null", "undefined"):
                tokens.append(("const", None))
            else:
                tokens.append(("const", value))  # SurveyJS reads a bare word as a string
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, op=None):
        tok = self.peek()
        if op is not None and tok != ("op", op):
            raise ExpressionError(f"此处应为“{op}”")
        self.i += 1
        return tok

    def parse(self):
        node = self.or_expr()
        if self.i != len(self.tokens):
            raise ExpressionError(f"多余的内容：“{self.peek()[1]}”")
        return node

    def or_expr(self):
        node = self.and_expr()
        while self.peek() == ("op", "or"):
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.not_expr()
        while self.peek() == ("op", "and"):
            self.take()
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self):
        if self.peek() == ("op", "!"):
            self.take()
            return ("not", self.not_expr())
        return self.comparison()

    def comparison(self):
        left = self.postfix()
        kind, value = self.peek()
        if kind == "op" and value in _COMPARISONS:
            self.take()
            return ("cmp", value, left, self.postfix())
        return left

    def postfix(self):
        node = self.primary()
        while self.peek() in (("op", "empty"), ("op", "notempty")):
            node = (self.take()[1], node)
        return node

    def primary(self):
        kind, value = self.peek()
        if kind is None:
            raise ExpressionError("表达式不完整")
        if kind == "var":
            self.take()
            return ("var", value)
        if kind == "const":
            self.take()
            return ("const", value)
        if (kind, value) == ("op", "("):
            self.take()
            node = self.or_expr()
            self.take(")")
            return node
        if (kind, value) == ("op", "["):
            self.take()
            items = []
            while self.peek() != ("op", "]"):
                items.append(self.primary())
                if self.peek() == ("op", ","):
                    self.take()
                elif self.peek() != ("op", "]"):
                    raise ExpressionError("数组写法有误")
            self.take("]")
            return ("array", items)
        raise ExpressionError(f"此处不应出现“{value}”")


def parse(text):
    """Parse an expression into a small tree; raises ExpressionError (Chinese message)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("表达式为空")
    return _Parser(_tokenize(text)).parse()


def variables(tree):
    """Names of the variables an expression reads (the part before any dot)."""
    kind = tree[0]
    if kind == "var":
        return {tree[1].split(".")[0]}
    if kind == "const":
        return set()
    if kind == "array":
        return set().union(*(variables(t) for t in tree[1])) if tree[1] else set()
    if kind == "cmp":
        return variables(tree[2]) | variables(tree[3])
    return set().union(*(variables(t) for t in tree[1:]))


# ---------------------------------------------------------------- semantics (survey-core's)


def is_empty(value):
    if isinstance(value, list):
        return len(value) == 0
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return False
    return not value


def _as_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def equals(x, y):
    """Helpers.checkIfValuesEqual with ignoreOrder, case-insensitive, trimmed strings."""
    if x is y or (type(x) is type(y) and x == y):
        return True
    if isinstance(x, list) and not x and y is None or isinstance(y, list) and not y and x is None:
        return True
    if x is None and y == "" or y is None and x == "":
        return True
    if isinstance(x, str) and isinstance(y, str):
        return x.strip().lower() == y.strip().lower()
    nx, ny = _as_number(x), _as_number(y)
    if nx is not None and ny is not None and nx == ny:
        return True
    if is_empty(x) != is_empty(y):
        return False
    if isinstance(x, bool) and isinstance(y, str):
        return str(x).lower() == y.lower()
    if isinstance(y, bool) and isinstance(x, str):
        return str(y).lower() == x.lower()
    if isinstance(x, list) and isinstance(y, list):
        if len(x) != len(y):
            return False
        rest = list(y)
        for item in x:
            for j, other in enumerate(rest):
                if equals(item, other):
                    del rest[j]
                    break
            else:
                return False
        return True
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(equals(x[k], y[k]) for k in x)
    if isinstance(x, (list, dict)) or isinstance(y, (list, dict)):
        return False
    if nx is not None and ny is not None:
        return nx == ny
    return x == y


def _ordered(left, right, op):
    if left is None or right is None:
        return False
    nl, nr = _as_number(left), _as_number(right)
    if isinstance(left, str) and isinstance(right, str):
        a, b = left, right
    elif nl is not None and nr is not None:
        a, b = nl, nr
    else:
        return False
    return a > b if op == ">" else a < b


def _contains_core(left, right, is_contains):
    if isinstance(left, list) and not left:
        return not is_contains
    if left is None or left == "" or left == {}:
        return False
    if not isinstance(left, (list, str)):
        left = str(left).lower() if isinstance(left, bool) else str(left)
    if isinstance(left, str):
        if right is None or right == "" or right == 0 or right is False:
            return False
        found = str(right).lower() in left.lower()
        return found if is_contains else not found
    for r in right if isinstance(right, list) else [right]:
        if not any(equals(item, r) for item in left):
            return not is_contains
    return is_contains


def _compare(op, left, right):
    if op == "=":
        return equals(left, right)
    if op == "!=":
        return not equals(left, right)
    if op in (">", "<"):
        return _ordered(left, right, op)
    if op in (">=", "<="):
        return equals(left, right) or _ordered(left, right, op[0])
    if op == "contains":
        return _contains_core(left, right, True)
    if op == "notcontains":
        if not left and not is_empty(right):
            return True
        return _contains_core(left, right, False)
    if op == "anyof":
        if is_empty(left) and is_empty(right):
            return True
        if is_empty(left):
            return False
        if is_empty(right):
            return True
        if not isinstance(left, list):
            return _contains_core(right, left, True)
        if not isinstance(right, list):
            return _contains_core(left, right, True)
        return any(_contains_core(left, r, True) for r in right)
    if op == "allof":
        if not left and not is_empty(right):
            return False
        if not isinstance(right, list):
            return _contains_core(left, right, True)
        return all(_contains_core(left, r, True) for r in right)
    raise ExpressionError(op)


def _truthy(value):
    """JavaScript truthiness (an empty list or object is true there)."""
    if isinstance(value, (list, dict)):
        return True
    return bool(value)


def _lookup(answers, name):
    value = answers
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _eval(tree, answers):
    kind = tree[0]
    if kind == "const":
        return tree[1]
    if kind == "var":
        return _lookup(answers, tree[1])
    if kind == "array":
        return [_eval(t, answers) for t in tree[1]]
    if kind == "and":
        return _truthy(_eval(tree[1], answers)) and _truthy(_eval(tree[2], answers))
    if kind == "or":
        return _truthy(_eval(tree[1], answers)) or _truthy(_eval(tree[2], answers))
    if kind == "not":
        return not _truthy(_eval(tree[1], answers))
    if kind == "empty":
        return is_empty(_eval(tree[1], answers))
    if kind == "notempty":
        return not is_empty(_eval(tree[1], answers))
    if kind == "cmp":
        return _compare(tree[1], _eval(tree[2], answers), _eval(tree[3], answers))
    raise ExpressionError(kind)


def evaluate(expression, answers):
    """True or False: does `expression` (text or parsed tree) hold for `answers`?"""
    tree = parse(expression) if isinstance(expression, str) else expression
    return _truthy(_eval(tree, answers))
