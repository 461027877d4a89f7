"""Notebook 12 (U-Net): wrong answers as students write them fail with their diagnosis;
correct answers written differently pass, visible and hidden."""
from .harness import Right, Wrong, edit, suite


DOUBLE_CONV = """
def double_conv(in_channels, out_channels):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))
"""

UP = """
class Up(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
        self.conv = double_conv(in_channels, out_channels)

    def forward(self, x, skip):
        return self.conv(torch.cat([skip, self.up(x)], dim=1))
"""

DICE = """
def dice_score(pred, target, threshold=0.5):
    a = (pred > threshold).astype(np.float64)
    b = target.astype(np.float64)
    inter = (a * b).sum(axis=(1, 2, 3))
    total = a.sum(axis=(1, 2, 3)) + b.sum(axis=(1, 2, 3))
    scores = np.where(total > 0, 2 * inter / np.maximum(total, 1), 1.0)
    return float(scores.mean())
"""

IOU = """
def iou_score(pred, target, threshold=0.5):
    a = (pred > threshold).astype(np.float64)
    b = target.astype(np.float64)
    inter = (a * b).sum(axis=(1, 2, 3))
    union = a.sum(axis=(1, 2, 3)) + b.sum(axis=(1, 2, 3)) - inter
    scores = np.where(union > 0, inter / np.maximum(union, 1), 1.0)
    return float(scores.mean())
"""


def up_wrong(name, source, says=None):
    """A wrong Up; the notebook's (right) double_conv is defined before it."""
    return Wrong(name, source, says, setup=DOUBLE_CONV)


WRONG = {
    "double_conv": [
        Wrong("no batch norm", DOUBLE_CONV.replace("nn.BatchNorm2d(out_channels), ", ""),
              says="batch norm is missing"),
        Wrong("biases", DOUBLE_CONV.replace("bias=False", "bias=True"), says="bias=False"),
        Wrong("second convolution from in_channels", edit(
            DOUBLE_CONV, ("nn.Conv2d(out_channels, out_channels",
                          "nn.Conv2d(in_channels, out_channels")),
              says="takes out_channels inputs"),
        Wrong("no ReLU", DOUBLE_CONV.replace(", nn.ReLU(inplace=True)", ""),
              says="ReLU is missing"),
        Wrong("ReLU before batch norm", DOUBLE_CONV.replace(
            "nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True)",
            "nn.ReLU(inplace=True), nn.BatchNorm2d(out_channels)"),
              says="the order is convolution"),
        Wrong("no padding", DOUBLE_CONV.replace("padding=1, ", ""), says="padding=1 keeps H and W"),
        Wrong("one convolution", """
def double_conv(in_channels, out_channels):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))
"""),
        Wrong("a list", edit(DOUBLE_CONV, ("return nn.Sequential(", "return ("),
                             ("nn.ReLU(inplace=True))\n", "nn.ReLU(inplace=True))\n")),
              says="returned a tuple of layers"),
    ],
    "Up": [
        up_wrong("x first", edit(UP, ("torch.cat([skip, self.up(x)], dim=1)",
                                      "torch.cat([self.up(x), skip], dim=1)")),
                 says="the skip's channels come first"),
        up_wrong("adds the skip", edit(UP, ("double_conv(in_channels, out_channels)",
                                            "double_conv(in_channels // 2, out_channels)"),
                                       ("torch.cat([skip, self.up(x)], dim=1)",
                                        "skip + self.up(x)")),
                 says="U-Net concatenates"),
        up_wrong("interpolation", """
class Up(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = double_conv(in_channels + in_channels // 2, out_channels)

    def forward(self, x, skip):
        x = F.interpolate(x, scale_factor=2)
        return self.conv(torch.cat([skip, x], dim=1))
""", says="no learned up-sampling"),
        up_wrong("channels not halved", edit(
            UP, ("nn.ConvTranspose2d(in_channels, in_channels // 2,",
                 "nn.ConvTranspose2d(in_channels, in_channels,")),
                 says="halves the channels"),
        up_wrong("concatenated along the batch", edit(UP, ("dim=1)", "dim=0)")),
                 says="input channels"),
        up_wrong("skip ignored", edit(UP, ("double_conv(in_channels, out_channels)",
                                           "double_conv(in_channels // 2, out_channels)"),
                                      ("torch.cat([skip, self.up(x)], dim=1)", "self.up(x)")),
                 says="the skip is not used"),
        up_wrong("kernel 3", edit(UP, ("kernel_size=2, stride=2", "kernel_size=3, stride=2"))),
    ],
    "dice_score": [
        Wrong("no threshold", edit(DICE, ("(pred > threshold).astype(np.float64)",
                                          "pred.astype(np.float64)")),
              says="threshold the probabilities"),
        Wrong("0.5 always", edit(DICE, ("pred > threshold", "pred > 0.5")),
              says="use the `threshold` argument"),
        Wrong("sums over the batch", DICE.replace("axis=(1, 2, 3)", "axis=None"),
              says="whole batch"),
        Wrong("sums over the batch axis", DICE.replace("axis=(1, 2, 3)", "axis=0"),
              says="wrong axes"),
        Wrong("IoU instead", edit(IOU, ("def iou_score", "def dice_score")),
              says="this is the IoU score"),
        Wrong("empty masks count 0", edit(DICE, ("1.0)", "0.0)")), says="count that image as 1"),
        Wrong("NaN for empty masks", """
def dice_score(pred, target, threshold=0.5):
    a = (pred > threshold).astype(float)
    inter = (a * target).sum(axis=(1, 2, 3))
    total = a.sum(axis=(1, 2, 3)) + target.sum(axis=(1, 2, 3))
    return float(np.mean(2 * inter / total))
""", says="NaN"),
        Wrong("smoothing", """
def dice_score(pred, target, threshold=0.5):
    a = (pred > threshold).astype(np.float64)
    inter = (a * target).sum(axis=(1, 2, 3))
    total = a.sum(axis=(1, 2, 3)) + target.sum(axis=(1, 2, 3))
    return float(np.mean((2 * inter + 1) / (total + 1)))
""", says="smoothing"),
        Wrong("an empty target is perfect", """
def dice_score(pred, target, threshold=0.5):
    a = (pred > threshold).astype(np.float64)
    inter = (a * target).sum(axis=(1, 2, 3))
    total = a.sum(axis=(1, 2, 3)) + target.sum(axis=(1, 2, 3))
    empty = target.sum(axis=(1, 2, 3)) == 0
    return float(np.mean(np.where(empty, 1.0, 2 * inter / np.maximum(total, 1))))
""", says="only when both masks are empty"),
        Wrong("one score per image", edit(DICE, ("return float(scores.mean())", "return scores")),
              says="expected a single number"),
        Wrong("PyTorch", """
def dice_score(pred, target, threshold=0.5):
    a = (torch.as_tensor(pred) > threshold).double()
    b = torch.as_tensor(target).double()
    inter = (a * b).sum(dim=(1, 2, 3))
    total = a.sum(dim=(1, 2, 3)) + b.sum(dim=(1, 2, 3))
    return float(torch.where(total > 0, 2 * inter / total.clamp(min=1), 1.0).mean())
""", says="would score 0"),
    ],
    "iou_score": [
        Wrong("no threshold", edit(IOU, ("(pred > threshold).astype(np.float64)",
                                         "pred.astype(np.float64)")),
              says="threshold the probabilities"),
        Wrong("sums over the batch", IOU.replace("axis=(1, 2, 3)", "axis=None"),
              says="whole batch"),
        Wrong("Dice instead", edit(DICE, ("def dice_score", "def iou_score")),
              says="this is the Dice score"),
        Wrong("0.5 always", edit(IOU, ("pred > threshold", "pred > 0.5")),
              says="use the `threshold` argument"),
        Wrong("empty masks count 0", edit(IOU, ("1.0)", "0.0)")), says="count that image as 1"),
        Wrong("union without the intersection", edit(IOU, (" - inter\n", "\n"))),
        Wrong("smoothing", edit(IOU, ("np.where(union > 0, inter / np.maximum(union, 1), 1.0)",
                                      "(inter + 1) / (union + 1)")), says="smoothing"),
        Wrong("sums over the batch axis", IOU.replace("axis=(1, 2, 3)", "axis=0"),
              says="wrong axes"),
    ],
}

RIGHT = {
    "double_conv": [
        Right("solution", DOUBLE_CONV),
        Right("a loop, named layers, ReLU not in place", """
from collections import OrderedDict

def double_conv(in_channels, out_channels):
    layers = OrderedDict()
    for i, c in enumerate((in_channels, out_channels)):
        layers[f"conv{i}"] = nn.Conv2d(c, out_channels, kernel_size=3, padding=1, bias=False)
        layers[f"bn{i}"] = nn.BatchNorm2d(out_channels)
        layers[f"relu{i}"] = nn.ReLU()
    return nn.Sequential(layers)
"""),
    ],
    "Up": [
        Right("solution", UP, setup=DOUBLE_CONV),
        Right("positional arguments, a tuple, other names", """
class Up(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.upsample = nn.ConvTranspose2d(in_channels, in_channels // 2, 2, 2)
        self.block = double_conv(in_channels, out_channels)

    def forward(self, x, skip):
        x = self.upsample(x)
        return self.block(torch.cat((skip, x), 1))
""", setup=DOUBLE_CONV),
    ],
    "dice_score": [
        Right("solution", DICE),
        Right("logical_and, >=, a loop over images", """
def dice_score(pred, target, threshold=0.5):
    scores = []
    for p, t in zip(pred >= threshold, target > 0):
        total = p.sum() + t.sum()
        scores.append(1.0 if total == 0 else 2 * np.logical_and(p, t).sum() / total)
    return float(np.mean(scores))
"""),
        Right("a tiny epsilon", """
def dice_score(pred, target, threshold=0.5):
    a = (pred > threshold).astype(np.float32)
    inter = (a * target).sum(axis=(-3, -2, -1))
    total = a.sum(axis=(-3, -2, -1)) + target.sum(axis=(-3, -2, -1))
    return float(((2 * inter + 1e-9) / (total + 1e-9)).mean())
"""),
    ],
    "iou_score": [
        Right("solution", IOU),
        Right("logical_or for the union", """
def iou_score(pred, target, threshold=0.5):
    a, b = pred > threshold, target > 0.5
    inter = np.logical_and(a, b).sum(axis=(1, 2, 3))
    union = np.logical_or(a, b).sum(axis=(1, 2, 3))
    return float(np.mean([i / u if u else 1.0 for i, u in zip(inter, union)]))
"""),
    ],
}

globals().update(suite("12_unet", WRONG, RIGHT, least_specific=0.85))
