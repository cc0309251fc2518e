class ControlFlow(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  scale : float
  names : List[str]
  def forward(self: __torch__.ControlFlow,
    x: Tensor,
    n: int,
    y: Optional[Tensor]=None) -> Tensor:
    s = "q\"uote\" \'single\' back\\slash\n\ttab \a\b\v\f ctl\001\033\177"
    _0 = uninitialized(Tensor)
    _1 = uninitialized(bool)
    if torch.gt(n, 100):
      acc = torch.mul(x, 2)
    else:
      if torch.gt(n, 50):
        acc0 = torch.mul(x, 3)
      else:
        acc0 = torch.add(x, n)
      acc = acc0
    acc1 = acc
    _2 = 0
    _3 = torch.gt(n, 0)
    while _3:
      if torch.eq(_2, 1):
        _4, _5, _6, _7, _8 = True, True, acc1, _1, _0
      else:
        if torch.gt(_2, 5):
          _9, _10, _11, _12, _13 = True, False, acc1, _1, _0
        else:
          _9, _10, _11, _12, _13 = False, _1, _0, True, torch.sub(acc1, _2)
        _4, _5, _6, _7, _8 = _9, _10, _11, _12, _13
      if _4:
        _14, _15 = _5, _6
      else:
        _14, _15 = _7, _8
      _16 = torch.add(_2, 1)
      _17 = torch.__and__(torch.lt(_16, n), _14)
      _3, acc1, _2 = _17, _15, _16
    acc2 = acc1
    j = 0
    _18 = True
    while _18:
      _19 = torch.mul(acc2, 1.0000000000000001e-05)
      acc3 = torch.add(_19, 0.10000000000000001)
      j0 = torch.add(j, 1)
      _18, acc2, j = torch.lt(j0, 3), acc3, j0
    if torch.__isnot__(y, None):
      y0 = unchecked_cast(Tensor, y)
      acc4 = torch.add(acc2, y0)
    else:
      acc4 = acc2
    sizes = annotate(List[int], [])
    _20 = torch.size(x)
    for _21 in range(torch.len(_20)):
      d = _20[_21]
      _22 = torch.append(sizes, torch.mul(d, 2))
    torch.insert(sizes, 0, -1)
    d0 = annotate(Dict[str, int], {})
    torch._set_item(d0, "k", -9223372036854775808)
    if torch.ge(torch.dim(x), 1):
      pass
    else:
      ops.prim.RaiseException("AssertionError: need at least 1-d")
    if torch.eq(torch.numel(x), 0):
      ops.prim.RaiseException("empty input", "builtins.ValueError")
    else:
      pass
    _23 = __torch__.torch.autograd.grad_mode.no_grad.__new__(__torch__.torch.autograd.grad_mode.no_grad)
    _24 = (_23).__init__()
    with _23:
      z = torch.sub(torch.mul(acc4, inf), -inf)
    names = self.names
    print("n =", n, s, names, d0, 1, 2., "three", sizes)
    scale = self.scale
    _25 = torch.add(acc4, scale)
    names0 = self.names
    _26 = torch.add(torch.add(_25, torch.len(names0)), torch.mul(torch.sum(z), 0.))
    return _26
  def describe(self: __torch__.ControlFlow,
    xs: List[Tensor]) -> Dict[str, List[int]]:
    out = annotate(Dict[str, List[int]], {})
    _27 = [9223372036854775807, torch.len(xs)]
    for i in range(ops.prim.min(_27)):
      x = xs[i]
      _28 = annotate(List[int], [])
      _29 = torch.size(x)
      for _30 in range(torch.len(_29)):
        s = _29[_30]
        _31 = torch.append(_28, s)
      torch._set_item(out, torch.format("x{}", i), _28)
    return out
  def encode(self: __torch__.ControlFlow,
    p: __torch__.Point,
    color: __torch__.Color) -> Tuple[Tensor, int]:
    _32 = torch.add((p)[0], 1)
    _33 = torch.add((p)[1], 1)
    _34 = torch.eq(color, __torch__.Color.RED)
    if _34:
      v = (color).value
    else:
      v = 0
    return (torch.mul(_32, v), _33)
  def misc(self: __torch__.ControlFlow,
    x: Tensor,
    u: Optional[List[int]]) -> Tensor:
    y = torch.clone(x)
    _35 = torch.lt(y, 0)
    _36 = torch.tensor(0., dtype=ops.prim.dtype(y), device=ops.prim.device(y))
    _37 = annotate(List[Optional[Tensor]], [_35])
    _38 = torch.index_put_(y, _37, _36)
    _39 = torch.select(torch.select(y, 0, 0), 0, 0)
    _40 = torch.tensor(5., dtype=ops.prim.dtype(_39), device=ops.prim.device(_39))
    _41 = torch.copy_(_39, _40)
    _42 = torch.select(torch.slice(x), 1, 1)
    _43 = torch.copy_(torch.select(torch.slice(y), 1, 0), _42)
    if torch.__isnot__(u, None):
      u1 = unchecked_cast(List[int], u)
      _44, u0 = torch.gt(torch.len(u1), 0), u1
    else:
      _44, u0 = False, u
    if _44:
      u2 = unchecked_cast(List[int], u0)
      y1 = torch.mul(y, u2[0])
    else:
      y1 = y
    return y1
  def use_class(self: __torch__.ControlFlow,
    x: Tensor) -> Tensor:
    a = __torch__.Accumulator.__new__(__torch__.Accumulator)
    _45 = (a).__init__(x, )
    _46 = (a).add(x, )
    def __forked_function():
      return __torch__.scripted_helper(x, 2, )
    fut = fork(__forked_function)
    total = a.total
    _47 = torch.add(torch.add(total, torch.wait(fut)), __torch__.scripted_helper(x, 2, ))
    return _47
class Point(NamedTuple):
  x : Tensor
  y : int
class Color(Enum):
  RED = 1
  GREEN = 2
def scripted_helper(x: Tensor,
    k: int=2) -> Tensor:
  return torch.add(torch.pow(x, k), k)
class Accumulator:
  total : Tensor
  count : int
  def __init__(self: __torch__.Accumulator,
    start: Tensor) -> NoneType:
    self.total = start
    self.count = 0
    return None
  def add(self: __torch__.Accumulator,
    t: Tensor) -> NoneType:
    total = self.total
    self.total = torch.add(total, t)
    count = self.count
    self.count = torch.add(count, 1)
    return None
