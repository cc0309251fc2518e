class UsesIface(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : NoneType
  impl : __torch__.OneArgIface
  def forward(self: __torch__.UsesIface,
    x: Tensor) -> Tensor:
    impl = self.impl
    return (impl).forward(x, )
class Impl(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.Impl,
    x: Tensor) -> Tensor:
    return torch.add(x, 1)
class OneArgIface(ModuleInterface):
  def forward(self, x: Tensor) -> Tensor:
    pass
