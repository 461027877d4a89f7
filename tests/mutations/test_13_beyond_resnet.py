"""Notebook 13 (beyond ResNet): wrong answers as students write them fail with their diagnosis;
correct answers written differently pass, visible and hidden."""
from course.checks.beyond_resnet import (check_conv_cost, check_dense_block,
                                         check_inception, check_preact_block, check_transition)

from .harness import Right, Wrong, edit, suite


INCEPTION = """
class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU(inplace=True))
        self.branch2 = nn.Sequential(
            nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(inplace=True),
            nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU(inplace=True))
        self.branch3 = nn.Sequential(
            nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(inplace=True),
            nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU(inplace=True))
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1),
            nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU(inplace=True))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)],
                         dim=1)
"""

CONV_COST = """
def conv_cost(c_in, c_out, k, h, w):
    parameters = k * k * c_in * c_out + c_out
    return parameters, h * w * k * k * c_in * c_out
"""

PREACT = """
class PreActBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x):
        residual = self.conv1(torch.relu(self.bn1(x)))
        residual = self.conv2(torch.relu(self.bn2(residual)))
        return x + residual
"""

DENSE = """
class DenseBlock(nn.Module):
    def __init__(self, in_channels, n_layers, growth_rate):
        super().__init__()
        self.layers = nn.ModuleList()
        for i in range(n_layers):
            c = in_channels + i * growth_rate
            self.layers.append(nn.Sequential(
                nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                nn.Conv2d(c, 4 * growth_rate, 1, bias=False),
                nn.BatchNorm2d(4 * growth_rate), nn.ReLU(inplace=True),
                nn.Conv2d(4 * growth_rate, growth_rate, 3, padding=1, bias=False)))

    def forward(self, x):
        for layer in self.layers:
            x = torch.cat([x, layer(x)], dim=1)
        return x
"""

TRANSITION = """
def transition(in_channels, theta=0.5):
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
                         nn.Conv2d(in_channels, int(theta * in_channels), 1, bias=False),
                         nn.AvgPool2d(2))
"""

CAT_FAILS = "Sizes of tensors must match except in dimension 1"  # PyTorch's own message

WRONG = {
    check_inception: [
        Wrong("pooling branch left out of the concatenation", edit(
            INCEPTION, (", self.branch4(x)]", "]")), says="fourth branch"),
        Wrong("3x3 branch left out", edit(INCEPTION, ("self.branch2(x), ", "")),
              says="second branch"),
        Wrong("concatenated along the batch axis", edit(INCEPTION, ("dim=1)", "dim=0)")),
              says="along the channels"),
        Wrong("concatenated along the last axis", edit(INCEPTION, ("dim=1)", "dim=-1)")),
              says="along the channels"),
        Wrong("no 1x1 reduction before the 3x3", edit(
            INCEPTION, ("nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(inplace=True),\n"
                        "            nn.Conv2d(ch3x3red, ch3x3, 3, padding=1)",
                        "nn.Conv2d(in_channels, ch3x3, 3, padding=1)")),
              says="3x3 branch starts with its 1x1 reduction"),
        Wrong("no 1x1 reduction before the 5x5", edit(
            INCEPTION, ("nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(inplace=True),\n"
                        "            nn.Conv2d(ch5x5red, ch5x5, 5, padding=2)",
                        "nn.Conv2d(in_channels, ch5x5, 5, padding=2)")),
              says="5x5 branch starts with its 1x1 reduction"),
        Wrong("torchvision's 3x3 in the 5x5 branch", edit(
            INCEPTION, ("nn.Conv2d(ch5x5red, ch5x5, 5, padding=2)",
                        "nn.Conv2d(ch5x5red, ch5x5, 3, padding=1)")), says="known bug"),
        Wrong("5x5 with the 3x3's padding", edit(
            INCEPTION, ("nn.Conv2d(ch5x5red, ch5x5, 5, padding=2)",
                        "nn.Conv2d(ch5x5red, ch5x5, 5, padding=1)")), says=CAT_FAILS),
        Wrong("3x3 without padding", edit(
            INCEPTION, ("nn.Conv2d(ch3x3red, ch3x3, 3, padding=1)",
                        "nn.Conv2d(ch3x3red, ch3x3, 3)")), says=CAT_FAILS),
        Wrong("max pooling with PyTorch's default stride", edit(
            INCEPTION, ("nn.MaxPool2d(3, stride=1, padding=1)", "nn.MaxPool2d(3, padding=1)")),
              says=CAT_FAILS),
        Wrong("average pooling", edit(INCEPTION, ("nn.MaxPool2d(3, stride=1, padding=1)",
                                                  "nn.AvgPool2d(3, stride=1, padding=1)")),
              says="uses max pooling"),
        Wrong("projection before the pooling", edit(
            INCEPTION, ("nn.MaxPool2d(3, stride=1, padding=1),\n"
                        "            nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU(inplace=True))",
                        "nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU(inplace=True),\n"
                        "            nn.MaxPool2d(3, stride=1, padding=1))")),
              says="pools first"),
        Wrong("no ReLU after the reductions", edit(
            INCEPTION, ("nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(inplace=True),",
                        "nn.Conv2d(in_channels, ch3x3red, 1),"),
            ("nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(inplace=True),",
             "nn.Conv2d(in_channels, ch5x5red, 1),")), says="the 1x1 reductions included"),
        Wrong("branches in another order", edit(
            INCEPTION, ("[self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]",
                        "[self.branch1(x), self.branch3(x), self.branch2(x), self.branch4(x)]")),
              says="in order: 1x1, 3x3, 5x5"),
        Wrong("convolutions without bias", INCEPTION.replace(", 1)", ", 1, bias=False)")
              .replace("3, padding=1)", "3, padding=1, bias=False)")
              .replace("padding=2)", "padding=2, bias=False)"),
              says="keep nn.Conv2d's default bias=True"),
        Wrong("pooling branch projected to ch1x1 channels", edit(
            INCEPTION, ("nn.Conv2d(in_channels, pool_proj, 1)",
                        "nn.Conv2d(in_channels, ch1x1, 1)")),
              says="output shape is"),
        Wrong("the branches returned as a list", edit(
            INCEPTION, ("return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), "
                        "self.branch4(x)],\n                         dim=1)",
                        "return [self.branch1(x), self.branch2(x), self.branch3(x), "
                        "self.branch4(x)]")), says="returned a list"),
        Wrong("branches kept in a plain list", """
class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branches = [
            nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU()),
            nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
                          nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU()),
            nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
                          nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU()),
            nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())]

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], dim=1)
""", says="nn.ModuleList"),
    ],
    check_conv_cost: [
        Wrong("no bias", edit(CONV_COST, (" + c_out\n", "\n")), says="count the biases"),
        Wrong("multiply-adds of one position", edit(CONV_COST, ("h * w * k * k", "k * k")),
              says="times h * w"),
        Wrong("bias counted as a multiply-add", edit(
            CONV_COST, ("return parameters, h * w * k * k * c_in * c_out",
                        "return parameters, h * w * parameters")),
              says="not a multiply-add"),
        Wrong("output size without padding", edit(
            CONV_COST, ("h * w * k * k", "(h - k + 1) * (w - k + 1) * k * k")),
              says="'same' padding"),
        Wrong("k instead of k * k", CONV_COST.replace("k * k", "k"), says="k * k weights"),
        Wrong("parameters times the image size", edit(
            CONV_COST, ("parameters = k * k * c_in * c_out + c_out",
                        "parameters = (k * k * c_in * c_out + c_out) * h * w")),
              says="do not depend on the image size"),
        Wrong("a float from a power", edit(CONV_COST, ("h * w * k * k", "h * w * k ** 2.0")),
              says="return an int"),
        Wrong("only the multiply-adds", """
def conv_cost(c_in, c_out, k, h, w):
    return h * w * k * k * c_in * c_out
""", says="expected a tuple"),
    ],
    check_preact_block: [
        Wrong("ReLU after the addition", edit(PREACT, ("return x + residual",
                                                       "return torch.relu(x + residual)")),
              says="no ReLU after the addition"),
        Wrong("no identity", edit(PREACT, ("return x + residual", "return residual")),
              says="identity is missing"),
        Wrong("post-activation order", """
class PreActBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        return x + self.bn2(self.conv2(out))
""", says="batch norm and ReLU come before each convolution"),
        Wrong("the activated x added", edit(
            PREACT, ("        residual = self.conv1(torch.relu(self.bn1(x)))\n",
                     "        x = torch.relu(self.bn1(x))\n"
                     "        residual = self.conv1(x)\n")),
              says="not the normalised and activated"),
        Wrong("no activation before conv1", edit(
            PREACT, ("self.conv1(torch.relu(self.bn1(x)))", "self.conv1(x)")),
              says="starts with bn1 and a ReLU"),
        Wrong("ReLU before batch norm", edit(
            PREACT, ("torch.relu(self.bn1(x))", "self.bn1(torch.relu(x))"),
            ("torch.relu(self.bn2(residual))", "self.bn2(torch.relu(residual))")),
              says="batch norm first, then the ReLU"),
        Wrong("no ReLUs", PREACT.replace("torch.relu", ""), says="a ReLU follows each batch norm"),
        Wrong("convolutions with bias", PREACT.replace("bias=False", "bias=True"),
              says="bias=False"),
        Wrong("layers created conv first", edit(
            PREACT, ("        self.bn1 = nn.BatchNorm2d(channels)\n", ""),
            ("        self.bn2 = nn.BatchNorm2d(channels)\n", ""),
            ("bias=False)\n        self.conv2", "bias=False)\n"
                                               "        self.bn1 = nn.BatchNorm2d(channels)\n"
                                               "        self.conv2"),
            ("padding=1, bias=False)\n\n", "padding=1, bias=False)\n"
                                          "        self.bn2 = nn.BatchNorm2d(channels)\n\n")),
              says="create the layers in the order they are used"),
    ],
    check_dense_block: [
        Wrong("every layer built for in_channels", edit(
            DENSE, ("c = in_channels + i * growth_rate", "c = in_channels")),
              says="in_channels + i * growth_rate"),
        Wrong("only the new features returned", edit(
            DENSE, ("        for layer in self.layers:\n"
                    "            x = torch.cat([x, layer(x)], dim=1)\n        return x",
                    "        new = []\n        for layer in self.layers:\n"
                    "            new.append(layer(x))\n            x = torch.cat([x, new[-1]], 1)\n"
                    "        return torch.cat(new, 1)")), says="keeps its input"),
        Wrong("only the last layer's output", edit(
            DENSE, ("        for layer in self.layers:\n"
                    "            x = torch.cat([x, layer(x)], dim=1)\n        return x",
                    "        for layer in self.layers:\n            out = layer(x)\n"
                    "            x = torch.cat([x, out], dim=1)\n        return out")),
              says="not only the last"),
        Wrong("new features first", edit(DENSE, ("torch.cat([x, layer(x)], dim=1)",
                                                 "torch.cat([layer(x), x], dim=1)")),
              says="the input first"),
        Wrong("a chain without concatenation", edit(
            DENSE, ("c = in_channels + i * growth_rate",
                    "c = in_channels if i == 0 else growth_rate"),
            ("x = torch.cat([x, layer(x)], dim=1)", "x = layer(x)")),
              says="not x = layer(x)"),
        Wrong("bottleneck of growth_rate channels", DENSE.replace("4 * growth_rate", "growth_rate"),
              says="4 * growth_rate output channels"),
        Wrong("no bottleneck", edit(
            DENSE, ("nn.Conv2d(c, 4 * growth_rate, 1, bias=False),\n"
                    "                nn.BatchNorm2d(4 * growth_rate), nn.ReLU(inplace=True),\n"
                    "                nn.Conv2d(4 * growth_rate, growth_rate, 3",
                    "nn.Conv2d(c, growth_rate, 3")), says="1x1 bottleneck first"),
        Wrong("conv, BN, ReLU order", edit(
            DENSE, ("nn.BatchNorm2d(c), nn.ReLU(inplace=True),\n"
                    "                nn.Conv2d(c, 4 * growth_rate, 1, bias=False),\n"
                    "                nn.BatchNorm2d(4 * growth_rate), nn.ReLU(inplace=True),\n"
                    "                nn.Conv2d(4 * growth_rate, growth_rate, 3, padding=1, "
                    "bias=False)",
                    "nn.Conv2d(c, 4 * growth_rate, 1, bias=False),\n"
                    "                nn.BatchNorm2d(4 * growth_rate), nn.ReLU(inplace=True),\n"
                    "                nn.Conv2d(4 * growth_rate, growth_rate, 3, padding=1, "
                    "bias=False),\n"
                    "                nn.BatchNorm2d(growth_rate), nn.ReLU(inplace=True)")),
              says="batch norm and ReLU come before each convolution"),
        Wrong("convolutions with bias", DENSE.replace("bias=False", "bias=True"),
              says="bias=False"),
        Wrong("one layer too few", edit(DENSE, ("range(n_layers)", "range(n_layers - 1)")),
              says="n_layers layers"),
        Wrong("3x3 without padding", edit(DENSE, ("3, padding=1, bias=False", "3, bias=False")),
              says=CAT_FAILS),
        Wrong("layers in a plain list", edit(DENSE, ("self.layers = nn.ModuleList()",
                                                     "self.layers = []")),
              says="nn.ModuleList"),
    ],
    check_transition: [
        Wrong("rounded up", edit(TRANSITION, ("int(theta * in_channels)",
                                              "math.ceil(theta * in_channels)")),
              says="floor(theta * in_channels)"),
        Wrong("rounded", edit(TRANSITION, ("int(theta * in_channels)",
                                           "round(theta * in_channels)")),
              says="floor(theta * in_channels)"),
        Wrong("max pooling", edit(TRANSITION, ("nn.AvgPool2d(2)", "nn.MaxPool2d(2)")),
              says="average pooling"),
        Wrong("strided convolution instead of pooling", edit(
            TRANSITION, ("1, bias=False),\n", "1, stride=2, bias=False))\n"),
            ("                         nn.AvgPool2d(2))\n", "")), says="has stride 1"),
        Wrong("no pooling", edit(TRANSITION, ("bias=False),\n", "bias=False))\n"),
                                 ("                         nn.AvgPool2d(2))\n", "")),
              says="is missing"),
        Wrong("pooling with stride 1", edit(TRANSITION, ("nn.AvgPool2d(2)",
                                                         "nn.AvgPool2d(2, stride=1)")),
              says="do not set stride=1"),
        Wrong("conv, BN, ReLU order", """
def transition(in_channels, theta=0.5):
    out = int(theta * in_channels)
    return nn.Sequential(nn.Conv2d(in_channels, out, 1, bias=False), nn.BatchNorm2d(out),
                         nn.ReLU(inplace=True), nn.AvgPool2d(2))
""", says="come before the convolution"),
        Wrong("no batch norm", edit(TRANSITION, ("nn.BatchNorm2d(in_channels), ", "")),
              says="starts with batch norm"),
        Wrong("no ReLU", edit(TRANSITION, (" nn.ReLU(inplace=True),", "")),
              says="a ReLU follows the batch norm"),
        Wrong("bias in the convolution", edit(TRANSITION, ("bias=False", "bias=True")),
              says="bias=False"),
        Wrong("pooling first", """
def transition(in_channels, theta=0.5):
    return nn.Sequential(nn.AvgPool2d(2), nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, int(theta * in_channels), 1, bias=False))
""", says="pool at the end"),
        Wrong("a float channel count", edit(TRANSITION, ("int(theta * in_channels)",
                                                         "theta * in_channels"))),
    ],
}

RIGHT = {
    check_inception: [
        Right("solution", INCEPTION),
        Right("layers as attributes, functional ReLU, one ReLU after the concatenation", """
class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.b1 = nn.Conv2d(in_channels, ch1x1, kernel_size=1)
        self.b2_reduce = nn.Conv2d(in_channels, ch3x3red, kernel_size=1)
        self.b2 = nn.Conv2d(ch3x3red, ch3x3, kernel_size=3, padding="same")
        self.b3_reduce = nn.Conv2d(in_channels, ch5x5red, kernel_size=1)
        self.b3 = nn.Conv2d(ch5x5red, ch5x5, kernel_size=5, padding="same")
        self.pool = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4 = nn.Conv2d(in_channels, pool_proj, kernel_size=1)

    def forward(self, x):
        out = torch.cat([self.b1(x), self.b2(F.relu(self.b2_reduce(x))),
                         self.b3(F.relu(self.b3_reduce(x))), self.b4(self.pool(x))], 1)
        return F.relu(out)
"""),
        Right("a ModuleList of branches, ceil_mode pooling as torchvision", """
class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        def conv_relu(c_in, c_out, k):
            return [nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.ReLU()]
        self.branches = nn.ModuleList([
            nn.Sequential(*conv_relu(in_channels, ch1x1, 1)),
            nn.Sequential(*conv_relu(in_channels, ch3x3red, 1), *conv_relu(ch3x3red, ch3x3, 3)),
            nn.Sequential(*conv_relu(in_channels, ch5x5red, 1), *conv_relu(ch5x5red, ch5x5, 5)),
            nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True),
                          *conv_relu(in_channels, pool_proj, 1))])

    def forward(self, x):
        return torch.cat([branch(x) for branch in self.branches], dim=1)
"""),
    ],
    check_conv_cost: [
        Right("solution", CONV_COST),
        Right("math.prod, a list", """
def conv_cost(c_in, c_out, k, h, w):
    weights = math.prod((k, k, c_in, c_out))
    return [weights + c_out, weights * h * w]
"""),
    ],
    check_preact_block: [
        Right("solution", PREACT),
        Right("nn.ReLU modules, identity kept aside", """
class PreActBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)

    def forward(self, x):
        identity = x
        out = self.conv1(self.relu1(self.bn1(x)))
        out = self.conv2(self.relu2(self.bn2(out)))
        return out + identity
"""),
        Right("residual as one nn.Sequential", """
class PreActBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.residual = nn.Sequential(
            nn.BatchNorm2d(channels), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False))

    def forward(self, x):
        return x + self.residual(x)
"""),
    ],
    check_dense_block: [
        Right("solution", DENSE),
        Right("torchvision's way: a list of features, concatenated for each layer", """
class DenseLayer(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.norm1, self.conv1 = nn.BatchNorm2d(c), nn.Conv2d(c, 4 * k, 1, bias=False)
        self.norm2, self.conv2 = nn.BatchNorm2d(4 * k), nn.Conv2d(4 * k, k, 3, 1, 1, bias=False)

    def forward(self, features):
        x = torch.cat(features, 1)
        return self.conv2(F.relu(self.norm2(self.conv1(F.relu(self.norm1(x))))))


class DenseBlock(nn.Module):
    def __init__(self, in_channels, n_layers, growth_rate):
        super().__init__()
        self.layers = nn.Sequential(*[DenseLayer(in_channels + i * growth_rate, growth_rate)
                                      for i in range(n_layers)])

    def forward(self, x):
        features = [x]
        for layer in self.layers:
            features.append(layer(features))
        return torch.cat(features, 1)
"""),
    ],
    check_transition: [
        Right("solution", TRANSITION),
        Right("pooling before the 1x1 convolution (the two linear steps commute)", """
def transition(in_channels, theta=0.5):
    out_channels = math.floor(theta * in_channels)
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.AvgPool2d(kernel_size=2, stride=2),
                         nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False))
"""),
        Right("a module with a functional forward", """
class Transition(nn.Module):
    def __init__(self, c, theta):
        super().__init__()
        self.norm = nn.BatchNorm2d(c)
        self.conv = nn.Conv2d(c, int(c * theta), 1, bias=False)

    def forward(self, x):
        return F.avg_pool2d(self.conv(F.relu(self.norm(x))), 2)


def transition(in_channels, theta=0.5):
    return Transition(in_channels, theta)
"""),
    ],
}

globals().update(suite("13_beyond_resnet", WRONG, RIGHT, least_specific=0.85))
