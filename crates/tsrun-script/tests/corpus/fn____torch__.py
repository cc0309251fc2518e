class PlaceholderModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.PlaceholderModule,
    x: Tensor,
    k: int) -> Tensor:
    return torch.add(torch.pow(x, k), k)
