"""Notebook 11 (ResNet): wrong answers as students write them fail with their diagnosis;
correct answers written differently pass, visible and hidden."""
from .harness import Right, Wrong, edit, suite


SHORTCUT = """
def shortcut(in_channels, out_channels, stride=1):
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels))
"""

BLOCK = """
class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = shortcut(in_channels, out_channels, stride)

    def forward(self, x):
        residual = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(residual + self.shortcut(x))
"""

STAGE = """
def make_stage(in_channels, out_channels, n_blocks, stride=1):
    blocks = [BasicBlock(in_channels, out_channels, stride)]
    blocks += [BasicBlock(out_channels, out_channels) for _ in range(n_blocks - 1)]
    return nn.Sequential(*blocks)
"""


def block_wrong(name, source, says=None):
    """A wrong BasicBlock; the notebook's (right) shortcut is defined before it."""
    return Wrong(name, source, says, setup=SHORTCUT)


def stage_wrong(name, source, says=None):
    """A wrong make_stage; the notebook's (right) shortcut and BasicBlock come before it."""
    return Wrong(name, source, says, setup=SHORTCUT + BLOCK)


WRONG = {
    "shortcut": [
        Wrong("identity whenever the channels match", edit(
            SHORTCUT, ("if stride == 1 and in_channels == out_channels:",
                       "if in_channels == out_channels:")), says="with a stride of two"),
        Wrong("identity if either holds", edit(
            SHORTCUT, ("if stride == 1 and in_channels == out_channels:",
                       "if stride == 1 or in_channels == out_channels:")),
              says="nn.Identity() only when stride == 1 and the channels match"),
        Wrong("no batch norm", edit(SHORTCUT, ("return nn.Sequential(\n        nn.Conv2d",
                                               "return (nn.Conv2d"),
                                    (",\n        nn.BatchNorm2d(out_channels))", ")")),
              says="nn.BatchNorm2d(out_channels) is missing"),
        Wrong("3x3 projection", edit(SHORTCUT, ("kernel_size=1, stride=stride",
                                                "kernel_size=3, stride=stride, padding=1")),
              says="1x1 kernel"),
        Wrong("bias in the projection", edit(SHORTCUT, ("bias=False", "bias=True")),
              says="bias=False"),
        Wrong("projection without the stride", edit(SHORTCUT, ("stride=stride, ", "")),
              says="the block's stride"),
        Wrong("always a projection", edit(
            SHORTCUT, ("    if stride == 1 and in_channels == out_channels:\n"
                       "        return nn.Identity()\n", "")),
              says="the shortcut is nn.Identity()"),
        Wrong("None for the identity", edit(SHORTCUT, ("return nn.Identity()", "return None")),
              says="returned None"),
        Wrong("batch norm of the input channels", edit(SHORTCUT, ("nn.BatchNorm2d(out_channels)",
                                                                  "nn.BatchNorm2d(in_channels)"))),
    ],
    "BasicBlock": [
        block_wrong("no skip", edit(BLOCK, ("torch.relu(residual + self.shortcut(x))",
                                            "torch.relu(residual)")),
                    says="skip connection is missing"),
        block_wrong("ReLU before the addition", edit(
            BLOCK, ("torch.relu(residual + self.shortcut(x))",
                    "torch.relu(residual) + self.shortcut(x)")),
                    says="ReLU before the addition"),
        block_wrong("no last ReLU", edit(BLOCK, ("torch.relu(residual + self.shortcut(x))",
                                                 "residual + self.shortcut(x)")),
                    says="after the addition is missing"),
        block_wrong("stride on conv2", edit(
            BLOCK, ("nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1,",
                    "nn.Conv2d(in_channels, out_channels, 3, padding=1,"),
            ("nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)",
             "nn.Conv2d(out_channels, out_channels, 3, stride=stride, padding=1, bias=False)")),
                    says="the stride belongs to conv1"),
        block_wrong("skip added before bn2", edit(
            BLOCK, ("residual = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))\n"
                    "        return torch.relu(residual + self.shortcut(x))",
                    "residual = self.conv2(torch.relu(self.bn1(self.conv1(x))))\n"
                    "        return torch.relu(self.bn2(residual + self.shortcut(x)))")),
                    says="added after bn2"),
        block_wrong("biases", BLOCK.replace("bias=False", "bias=True"), says="bias=False"),
        block_wrong("shortcut created first", edit(
            BLOCK, ("        self.shortcut = shortcut(in_channels, out_channels, stride)\n", ""),
            ("super().__init__()\n", "super().__init__()\n"
             "        self.shortcut = shortcut(in_channels, out_channels, stride)\n")),
                    says="another order"),
        block_wrong("x added as it is", edit(BLOCK, ("residual + self.shortcut(x)",
                                                     "residual + x")),
                    says="raised RuntimeError"),
        block_wrong("no ReLU between the convolutions", edit(
            BLOCK, ("self.conv2(torch.relu(self.bn1(self.conv1(x))))",
                    "self.conv2(self.bn1(self.conv1(x)))"))),
    ],
    "make_stage": [
        stage_wrong("stride on every block", edit(STAGE, ("BasicBlock(out_channels, out_channels)",
                                                          "BasicBlock(out_channels, out_channels, "
                                                          "stride)")),
                    says="only the first block of a stage has the stride"),
        stage_wrong("every block from in_channels", """
def make_stage(in_channels, out_channels, n_blocks, stride=1):
    return nn.Sequential(*[BasicBlock(in_channels, out_channels, stride)
                           for _ in range(n_blocks)])
""", says="only the first block goes from in_channels"),
        stage_wrong("one block too few", edit(STAGE, ("range(n_blocks - 1)",
                                                      "range(n_blocks - 2)")),
                    says="one block too few"),
        stage_wrong("one block too many", edit(STAGE, ("range(n_blocks - 1)", "range(n_blocks)")),
                    says="one block too many"),
        stage_wrong("the same block repeated", """
def make_stage(in_channels, out_channels, n_blocks, stride=1):
    first = BasicBlock(in_channels, out_channels, stride)
    block = BasicBlock(out_channels, out_channels)
    return nn.Sequential(first, *[block] * (n_blocks - 1))
""", says="weights are shared"),
        stage_wrong("stride on the last block", """
def make_stage(in_channels, out_channels, n_blocks, stride=1):
    blocks = [BasicBlock(in_channels, out_channels)]
    blocks += [BasicBlock(out_channels, out_channels) for _ in range(n_blocks - 2)]
    if n_blocks > 1:
        blocks.append(BasicBlock(out_channels, out_channels, stride))
    return nn.Sequential(*blocks)
""", says="not the last"),
        stage_wrong("a list of blocks", edit(STAGE, ("return nn.Sequential(*blocks)",
                                                     "return blocks")),
                    says="nn.Sequential(*layers)"),
    ],
}

RIGHT = {
    "shortcut": [
        Right("solution", SHORTCUT),
        Right("the opposite test, named layers", """
from collections import OrderedDict

def shortcut(in_channels, out_channels, stride=1):
    if in_channels != out_channels or stride != 1:
        return nn.Sequential(OrderedDict(
            conv=nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
            bn=nn.BatchNorm2d(out_channels)))
    return nn.Identity()
"""),
        Right("an empty nn.Sequential as the identity", edit(SHORTCUT, ("return nn.Identity()",
                                                                        "return nn.Sequential()"))),
    ],
    "BasicBlock": [
        Right("solution", BLOCK, setup=SHORTCUT),
        Right("nn.ReLU module, += , other names", """
class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.c1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride,
                            padding=1, bias=False)
        self.n1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.c2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.n2 = nn.BatchNorm2d(out_channels)
        self.skip = shortcut(in_channels, out_channels, stride)

    def forward(self, x):
        identity = self.skip(x)
        out = self.relu(self.n1(self.c1(x)))
        out = self.n2(self.c2(out))
        out += identity
        return self.relu(out)
""", setup=SHORTCUT),
    ],
    "make_stage": [
        Right("solution", STAGE, setup=SHORTCUT + BLOCK),
        Right("one comprehension", """
def make_stage(in_channels, out_channels, n_blocks, stride=1):
    return nn.Sequential(*[
        BasicBlock(in_channels if i == 0 else out_channels, out_channels,
                   stride if i == 0 else 1) for i in range(n_blocks)])
""", setup=SHORTCUT + BLOCK),
        Right("add_module in a loop", """
def make_stage(in_channels, out_channels, n_blocks, stride=1):
    stage = nn.Sequential()
    for i in range(n_blocks):
        stage.add_module(f"block{i}", BasicBlock(in_channels, out_channels, stride))
        in_channels, stride = out_channels, 1
    return stage
""", setup=SHORTCUT + BLOCK),
    ],
}

globals().update(suite("11_resnet", WRONG, RIGHT, least_specific=0.85))
