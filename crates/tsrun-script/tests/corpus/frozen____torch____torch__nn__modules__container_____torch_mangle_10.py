class Sequential(Module):
  __parameters__ = []
  __buffers__ = []
  def forward(self: __torch__.torch.nn.modules.container.___torch_mangle_10.Sequential,
    input: Tensor) -> Tensor:
    input0 = torch.conv2d(input, CONSTANTS.c0, CONSTANTS.c1)
    return torch.relu(input0)
