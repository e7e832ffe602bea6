"""Writes residual-cnn.pt: the smallest TorchScript model with a residual add after a convolution, the pattern
optimize_for_inference turns into a sum of two MKLDNN tensors (GraphOptimizationTest). Input [N, 3, 16, 16] FP32,
output [N, 4] logits. Made with: python3 residual_cnn.py (any PyTorch since 1.10; the committed file by 1.13)."""
import torch
from torch import nn


class ResidualCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)
        self.body = nn.Conv2d(16, 16, 3, padding=1)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        y = torch.relu(self.bn(self.stem(x)))
        y = torch.relu(self.body(y) + y)
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


torch.manual_seed(7)
model = ResidualCnn().eval()
torch.jit.script(model).save("residual-cnn.pt")
