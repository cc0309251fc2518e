class Nets(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  linear : __torch__.torch.nn.modules.linear.Linear
  lstm : __torch__.torch.nn.modules.rnn.LSTM
  enc : __torch__.torch.nn.modules.transformer.TransformerEncoderLayer
  seq : __torch__.torch.nn.modules.container.Sequential
  params : __torch__.torch.nn.modules.container.ParameterList
  def forward(self: __torch__.Nets,
    x: Tensor,
    img: Tensor) -> Tuple[Tensor, Tensor]:
    _0 = __torch__.torch.nn.functional.___torch_mangle_3.interpolate
    linear = self.linear
    h = (linear).forward(x, )
    lstm = self.lstm
    out, _1, = (lstm).forward__0(h, None, )
    enc = self.enc
    e = (enc).forward(out, None, None, False, )
    seq = self.seq
    s = (seq).forward(img, )
    params = self.params
    _00 = getattr(params, "0")
    params0 = self.params
    _10 = getattr(params0, "1")
    p = torch.add(_00, _10)
    s0 = _0(s, None, 2., "bilinear", False, None, False, )
    _2 = torch.add(torch.sum(s0), torch.sum(p))
    return (e, _2)
