"""Notebook 10 (VGG): wrong answers as students write them fail with their diagnosis; correct
answers written differently pass, visible and hidden."""
from .harness import Right, Wrong, edit, suite


def field(body):
    return f"def receptive_field(n_layers, kernel_size=3):\n    return {body}\n"


def stack(body):
    return f"def stack_params(channels, n_layers, kernel_size=3):\n    return {body}\n"


FEATURES = """
def make_vgg_features(cfg, in_channels=3):
    layers = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(in_channels, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)
"""

VGG = """
def make_vgg(cfg, num_classes=1000, in_channels=3, image_size=224, hidden=4096):
    side = image_size // 2 ** cfg.count("M")
    channels = [v for v in cfg if v != "M"][-1]
    return nn.Sequential(
        make_vgg_features(cfg, in_channels), nn.Flatten(),
        nn.Linear(channels * side * side, hidden), nn.ReLU(inplace=True), nn.Dropout(),
        nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Dropout(),
        nn.Linear(hidden, num_classes))
"""


def vgg_wrong(name, source, says=None):
    """A wrong make_vgg; the notebook's (right) make_vgg_features is defined before it."""
    return Wrong(name, source, says, setup=FEATURES)


WRONG = {
    "receptive_field": [
        Wrong("n * k", field("n_layers * kernel_size"), says="overlap"),
        Wrong("k ** n", field("kernel_size ** n_layers"), says="addition"),
        Wrong("forgot the pixel", field("n_layers * (kernel_size - 1)"), says="start from 1"),
        Wrong("one layer too many", field("kernel_size + n_layers * (kernel_size - 1)"),
              says="one layer too many"),
        Wrong("3x3 assumed", field("2 * n_layers + 1"), says="you assumed 3x3 kernels"),
        Wrong("a float", field("1 + n_layers * (kernel_size - 1) / 1"), says="return an int"),
    ],
    "stack_params": [
        Wrong("with biases", stack("n_layers * (kernel_size ** 2 * channels ** 2 + channels)"),
              says="no biases"),
        Wrong("one layer", stack("kernel_size ** 2 * channels ** 2"), says="one layer"),
        Wrong("one channel per kernel", stack("n_layers * kernel_size ** 2 * channels"),
              says="all C input channels"),
        Wrong("one big kernel", stack("(n_layers * kernel_size) ** 2 * channels ** 2"),
              says="do not make one bigger kernel"),
        Wrong("kernel not squared", stack("n_layers * kernel_size * channels ** 2"),
              says="square the kernel size"),
        Wrong("3x3 assumed", stack("9 * n_layers * channels ** 2"), says="you assumed 3x3"),
    ],
    "make_vgg_features": [
        Wrong("no padding", edit(FEATURES, ("kernel_size=3, padding=1", "kernel_size=3")),
              says="padding=1"),
        Wrong("no ReLU", edit(FEATURES, (", nn.ReLU(inplace=True)]", "]")), says="ReLU is missing"),
        Wrong("no bias", edit(FEATURES, ("padding=1)", "padding=1, bias=False)")),
              says="has a bias"),
        Wrong("pooling stride 1", edit(FEATURES, ("nn.MaxPool2d(kernel_size=2, stride=2)",
                                                  "nn.MaxPool2d(kernel_size=2, stride=1)")),
              says="halve H and W"),
        Wrong("always 3 channels in", edit(FEATURES, ("for v in cfg:",
                                                      "in_channels = 3\n    for v in cfg:")),
              says="not always 3"),
        Wrong("in_channels never updated", edit(FEATURES, ("            in_channels = v\n", "")),
              says="set in_channels = v"),
        Wrong("average pooling", edit(FEATURES, ("nn.MaxPool2d(kernel_size=2, stride=2)",
                                                 "nn.AvgPool2d(kernel_size=2, stride=2)")),
              says="average pooling"),
        Wrong("one ReLU per block", """
def make_vgg_features(cfg, in_channels=3):
    layers = []
    for v in cfg:
        if v == "M":
            layers += [nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
            in_channels = v
    if cfg[-1] != "M":
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)
""", says="only the last convolution of each block"),
        Wrong("a list of layers", edit(FEATURES, ("return nn.Sequential(*layers)",
                                                  "return layers")),
              says="nn.Sequential(*layers)"),
        Wrong("3x3 pooling", edit(FEATURES, ("nn.MaxPool2d(kernel_size=2, stride=2)",
                                             "nn.MaxPool2d(kernel_size=3, stride=2)"))),
    ],
    "make_vgg": [
        vgg_wrong("flattens image_size", edit(VGG, ("channels * side * side",
                                                    "channels * image_size ** 2")),
              says="flattened last maps"),
        vgg_wrong("no ReLU in the classifier", VGG.replace("nn.ReLU(inplace=True), ", ""),
              says="a ReLU is missing"),
        vgg_wrong("no dropout", VGG.replace(" nn.Dropout(),", ""), says="dropout is missing"),
        vgg_wrong("dropout before the linear layers", edit(
            VGG, ("nn.Flatten(),\n        nn.Linear(channels * side * side, hidden), "
                  "nn.ReLU(inplace=True), nn.Dropout(),\n        nn.Linear(hidden, hidden), "
                  "nn.ReLU(inplace=True), nn.Dropout(),",
                  "nn.Flatten(), nn.Dropout(),\n        nn.Linear(channels * side * side, hidden), "
                  "nn.ReLU(inplace=True), nn.Dropout(),\n        nn.Linear(hidden, hidden), "
                  "nn.ReLU(inplace=True),")), says="not before the linear layers"),
        vgg_wrong("4096 units always", VGG.replace("hidden)", "4096)").replace(
            "nn.Linear(hidden, ", "nn.Linear(4096, "), says="`hidden` units"),
        vgg_wrong("1000 classes always", edit(VGG, ("nn.Linear(hidden, num_classes)",
                                                "nn.Linear(hidden, 1000)")),
              says="num_classes outputs"),
        vgg_wrong("in_channels not passed on", edit(VGG, ("make_vgg_features(cfg, in_channels)",
                                                      "make_vgg_features(cfg)")),
              says="pass in_channels on"),
        vgg_wrong("ReLU on the scores", edit(VGG, ("nn.Linear(hidden, num_classes))",
                                               "nn.Linear(hidden, num_classes), nn.ReLU())")),
              says="class scores go through a ReLU"),
        vgg_wrong("no flatten", edit(VGG, (" nn.Flatten(),", "")), says="flattened to (N,"),
        vgg_wrong("dropout p=0.2", VGG.replace("nn.Dropout()", "nn.Dropout(0.2)")),
    ],
}

RIGHT = {
    "receptive_field": [
        Right("solution", field("1 + n_layers * (kernel_size - 1)")),
        Right("a loop", """
def receptive_field(n_layers, kernel_size=3):
    field = 1
    for _ in range(n_layers):
        field += kernel_size - 1
    return field
"""),
    ],
    "stack_params": [
        Right("solution", stack("n_layers * kernel_size * kernel_size * channels * channels")),
        Right("a sum over the layers", stack("sum(kernel_size ** 2 * channels ** 2 "
                                             "for _ in range(n_layers))")),
    ],
    "make_vgg_features": [
        Right("solution", FEATURES),
        Right("isinstance, nn.ReLU(), add_module", """
def make_vgg_features(cfg, in_channels=3):
    model = nn.Sequential()
    c = in_channels
    for i, v in enumerate(cfg):
        if isinstance(v, str):
            model.add_module(f"pool{i}", nn.MaxPool2d(2))
        else:
            model.add_module(f"conv{i}", nn.Conv2d(c, v, 3, 1, 1))
            model.add_module(f"relu{i}", nn.ReLU())
            c = v
    return model
"""),
    ],
    "make_vgg": [
        Right("solution", VGG, setup=FEATURES),
        Right("flat size by a forward pass, dropout before ReLU, nested", """
def make_vgg(cfg, num_classes=1000, in_channels=3, image_size=224, hidden=4096):
    features = make_vgg_features(cfg, in_channels)
    with torch.no_grad():
        n = features(torch.zeros(1, in_channels, image_size, image_size)).numel()
    classifier = nn.Sequential(nn.Linear(n, hidden), nn.Dropout(0.5), nn.ReLU(),
                               nn.Linear(hidden, hidden), nn.Dropout(0.5), nn.ReLU(),
                               nn.Linear(hidden, num_classes))
    return nn.Sequential(features, nn.Flatten(1), classifier)
""", setup=FEATURES),
    ],
}

globals().update(suite("10_vgg", WRONG, RIGHT, least_specific=0.85))
