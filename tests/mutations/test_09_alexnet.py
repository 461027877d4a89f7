"""Notebook 09 (AlexNet): wrong answers as students write them fail with their diagnosis;
correct answers written differently pass, visible and hidden."""
from .harness import Right, Wrong, edit, suite


ALEXNET = """
class AlexNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=11, stride=4), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(6 * 6 * 256, 4096), nn.ReLU(),
            nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))
"""
CONV_RELUS = [(f"{conv}), nn.ReLU()", f"{conv})") for conv in (
    "stride=4", "kernel_size=5, padding=2", "nn.Conv2d(256, 384, kernel_size=3, padding=1",
    "nn.Conv2d(384, 384, kernel_size=3, padding=1", "nn.Conv2d(384, 256, kernel_size=3, padding=1")]
DROPOUT_AFTER = [("nn.Flatten(), nn.Dropout(0.5), nn.Linear(6 * 6 * 256, 4096), nn.ReLU(),\n"
                  "            nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear",
                  "nn.Flatten(), nn.Linear(6 * 6 * 256, 4096), nn.ReLU(), nn.Dropout(0.5),\n"
                  "            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear")]

TORCHVISION = """
class TorchvisionAlexNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
            nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)))
"""

FEATURE_MAPS = """
def feature_maps(model, x):
    maps = []

    def keep(module, inputs, output):
        maps.append(output.detach().clone())

    handles = [m.register_forward_hook(keep) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.MaxPool2d))]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return maps
"""


LECTURE, TV = (96, 256, 384, 384, 256), (64, 192, 384, 256, 256)


def with_channels(source, old, new):
    """The network with the channels of conv1 .. conv5 changed from `old` to `new`."""
    lines = source.split("\n")
    convs = [j for j, line in enumerate(lines) if "nn.Conv2d(" in line]
    for j, c_in, c_out, n_in, n_out in zip(convs, (3, *old), old, (3, *new), new):
        lines[j] = lines[j].replace(f"nn.Conv2d({c_in}, {c_out},", f"nn.Conv2d({n_in}, {n_out},")
    return "\n".join(lines).replace(f"* {old[-1]}", f"* {new[-1]}")


def grouped(body):
    return f"def grouped_conv_params(k, c_in, c_out, groups=1):\n    return {body}\n"


WRONG = {
    "AlexNet": [
        Wrong("torchvision's channels", with_channels(ALEXNET, LECTURE, TV),
              says="torchvision's channels"),
        Wrong("no third max-pool", edit(
            ALEXNET, ("nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),\n"
                      "            nn.MaxPool2d(kernel_size=3, stride=2))",
                      "nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU())"),
            ("nn.Linear(6 * 6 * 256, 4096)", "nn.Linear(13 * 13 * 256, 4096)")),
              says="third max-pool"),
        Wrong("the paper's two GPUs", edit(
            ALEXNET, ("nn.Conv2d(96, 256, kernel_size=5, padding=2)",
                      "nn.Conv2d(96, 256, kernel_size=5, padding=2, groups=2)"),
            ("nn.Conv2d(384, 384, kernel_size=3, padding=1)",
             "nn.Conv2d(384, 384, kernel_size=3, padding=1, groups=2)"),
            ("nn.Conv2d(384, 256, kernel_size=3, padding=1)",
             "nn.Conv2d(384, 256, kernel_size=3, padding=1, groups=2)")), says="two-GPU split"),
        Wrong("no ReLU after the convolutions", edit(ALEXNET, *CONV_RELUS),
              says="convolutions are not followed by a ReLU"),
        Wrong("no ReLU in the classifier", edit(
            ALEXNET, ("nn.Linear(6 * 6 * 256, 4096), nn.ReLU(),", "nn.Linear(6 * 6 * 256, 4096),"),
            ("nn.Linear(4096, 4096), nn.ReLU(),", "nn.Linear(4096, 4096),")),
              says="fc6 and fc7 are not followed by a ReLU"),
        Wrong("2x2 max-pooling", ALEXNET.replace("nn.MaxPool2d(kernel_size=3, stride=2)",
                                                 "nn.MaxPool2d(2)"), says="3x3 with a stride"),
        Wrong("no dropout", ALEXNET.replace("nn.Dropout(0.5), ", ""), says="dropout is missing"),
        Wrong("dropout after fc6 and fc7", edit(ALEXNET, *DROPOUT_AFTER), says="not after them"),
        Wrong("one dropout", edit(ALEXNET, ("nn.Flatten(), nn.Dropout(0.5), ", "nn.Flatten(), ")),
              says="one dropout is missing"),
        Wrong("1000 classes always", edit(ALEXNET, ("nn.Linear(4096, num_classes)",
                                                    "nn.Linear(4096, 1000)")),
              says="whatever num_classes is"),
        Wrong("conv1 with padding", edit(ALEXNET, ("kernel_size=11, stride=4)",
                                                   "kernel_size=11, stride=4, padding=2)")),
              says="conv1 gives 56x56"),
        Wrong("ReLU on the scores", edit(ALEXNET, ("nn.Linear(4096, num_classes))",
                                                   "nn.Linear(4096, num_classes), nn.ReLU())")),
              says="class scores go through a ReLU"),
        Wrong("no biases", ALEXNET.replace("padding=2)", "padding=2, bias=False)").replace(
            "padding=1)", "padding=1, bias=False)").replace("stride=4)", "stride=4, bias=False)"),
            says="biases"),
        Wrong("dropout p=0.2", ALEXNET.replace("nn.Dropout(0.5)", "nn.Dropout(0.2)")),
        Wrong("forward skips the classifier's ReLUs", edit(
            ALEXNET, ("return self.classifier(self.features(x))",
                      "x = self.features(x)\n"
                      "        for layer in self.classifier:\n"
                      "            if not isinstance(layer, nn.ReLU):\n"
                      "                x = layer(x)\n"
                      "        return x")), says="fc6 and fc7 are not followed by a ReLU"),
    ],
    "grouped_conv_params": [
        Wrong("biases divided too", grouped("(k * k * c_in * c_out + c_out) // groups"),
              says="divided the biases too"),
        Wrong("c_out // groups biases",
              grouped("k * k * (c_in // groups) * c_out + c_out // groups"),
              says="keeps its own bias"),
        Wrong("groups ignored", grouped("k * k * c_in * c_out + c_out"),
              says="groups split the input channels"),
        Wrong("divided twice", grouped("k * k * (c_in // groups) * (c_out // groups) + c_out"),
              says="divide by the groups once"),
        Wrong("no biases", grouped("k * k * (c_in // groups) * c_out"), says="biases are missing"),
        Wrong("kernel not squared", grouped("k * (c_in // groups) * c_out + c_out"),
              says="square the kernel size"),
        Wrong("true division", grouped("k * k * c_in / groups * c_out + c_out"),
              says="return an int"),
        Wrong("groups multiply", grouped("k * k * c_in * groups * c_out + c_out")),
    ],
    "TorchvisionAlexNet": [
        Wrong("the lecture's channels", with_channels(TORCHVISION, TV, LECTURE),
              says="lecture's channels"),
        Wrong("no adaptive pooling", edit(
            TORCHVISION, ("return self.classifier(self.avgpool(self.features(x)))",
                          "return self.classifier(self.features(x))")),
              says="expects 9216 features but receives"),
        Wrong("adaptive max pooling", edit(TORCHVISION, ("nn.AdaptiveAvgPool2d((6, 6))",
                                                         "nn.AdaptiveMaxPool2d((6, 6))")),
              says="averages"),
        Wrong("no dropout", TORCHVISION.replace("nn.Dropout(0.5), ", ""),
              says="dropout is missing"),
        Wrong("1000 classes always", edit(TORCHVISION, ("nn.Linear(4096, num_classes)",
                                                        "nn.Linear(4096, 1000)"))),
        Wrong("no ReLU after the convolutions", TORCHVISION.replace("), nn.ReLU(),", "),").replace(
            "nn.Linear(256 * 6 * 6, 4096),", "nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),").replace(
            "nn.Linear(4096, 4096),", "nn.Linear(4096, 4096), nn.ReLU(),"),
            says="convolutions are not followed by a ReLU"),
        Wrong("conv1 without padding", edit(TORCHVISION, ("stride=4, padding=2)", "stride=4)"))),
        Wrong("fixed average pooling", edit(TORCHVISION, ("nn.AdaptiveAvgPool2d((6, 6))",
                                                          "nn.AvgPool2d(1)"))),
    ],
    "feature_maps": [
        Wrong("no clone", edit(FEATURE_MAPS, ("output.detach().clone()", "output")),
              says="overwrote the tensors"),
        Wrong("hooks never removed", edit(FEATURE_MAPS, ("    try:\n        with torch.no_grad():\n"
                                                         "            model(x)\n    finally:\n"
                                                         "        for h in handles:\n"
                                                         "            h.remove()\n",
                                                         "    with torch.no_grad():\n"
                                                         "        model(x)\n")),
              says="handle.remove()"),
        Wrong("one list for every call", """
maps = []

def feature_maps(model, x):
    def keep(module, inputs, output):
        maps.append(output.detach().clone())
    handles = [m.register_forward_hook(keep) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.MaxPool2d))]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return maps
""", says="the maps (or the hooks) of earlier calls"),
        Wrong("convolutions only", edit(FEATURE_MAPS, ("isinstance(m, (nn.Conv2d, nn.MaxPool2d))",
                                                       "isinstance(m, nn.Conv2d)")),
              says="both kinds of layer"),
        Wrong("every module", edit(FEATURE_MAPS, ("for m in model.modules()\n"
                                                  "               if isinstance(m, (nn.Conv2d, "
                                                  "nn.MaxPool2d))]",
                                                  "for m in model.modules()]")),
              says="every module"),
        Wrong("the inputs", edit(FEATURE_MAPS, ("maps.append(output.detach().clone())",
                                                "maps.append(inputs[0].detach().clone())")),
              says="inputs"),
        Wrong("a dict of maps", edit(FEATURE_MAPS, ("maps = []", "maps = {}"),
                                     ("maps.append(output.detach().clone())",
                                      "maps[module] = output.detach().clone()")),
              says="return a list"),
        Wrong("returns the output", edit(FEATURE_MAPS, ("            model(x)\n",
                                                        "            out = model(x)\n"),
                                         ("return maps", "return out")), says="return a list"),
        Wrong("forgot return", edit(FEATURE_MAPS, ("    return maps\n", "")), says="returned None"),
    ],
}

RIGHT = {
    "AlexNet": [
        Right("solution", ALEXNET),
        Right("in-place ReLUs, dropout before flatten, torch.flatten in forward", """
class AlexNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, 4), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, 1, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, 1, 1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, 1, 1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Dropout())
        self.classifier = nn.Sequential(
            nn.Linear(9216, 4096), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))
"""),
        Right("functional ReLU and dropout in forward", """
class AlexNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.ModuleList([
            nn.Conv2d(3, 96, kernel_size=11, stride=4),
            nn.Conv2d(96, 256, kernel_size=5, padding=2),
            nn.Conv2d(256, 384, kernel_size=3, padding=1),
            nn.Conv2d(384, 384, kernel_size=3, padding=1),
            nn.Conv2d(384, 256, kernel_size=3, padding=1)])
        self.fc6 = nn.Linear(9216, 4096)
        self.fc7 = nn.Linear(4096, 4096)
        self.fc8 = nn.Linear(4096, num_classes)
        self.pool = nn.MaxPool2d(3, 2)

    def forward(self, x):
        for i, conv in enumerate(self.features):
            x = F.relu(conv(x))
            if i in (0, 1, 4):
                x = self.pool(x)
        x = F.dropout(x.view(x.size(0), -1), 0.5, self.training)
        x = F.dropout(F.relu(self.fc6(x)), p=0.5, training=self.training)
        return self.fc8(F.relu(self.fc7(x)))
"""),
    ],
    "grouped_conv_params": [
        Right("solution", grouped("k * k * (c_in // groups) * c_out + c_out")),
        Right("PyTorch counts it", grouped(
            "sum(p.numel() for p in nn.Conv2d(c_in, c_out, k, groups=groups).parameters())")),
        Right("per group", """
def grouped_conv_params(k, c_in, c_out, groups=1):
    per_group = (c_out // groups) * (c_in // groups) * k ** 2
    return groups * per_group + c_out
"""),
    ],
    "TorchvisionAlexNet": [
        Right("solution", TORCHVISION),
        Right("flatten in forward, in-place ReLUs", edit(
            TORCHVISION, ("nn.Flatten(), nn.Dropout(0.5)", "nn.Dropout()"),
            ("return self.classifier(self.avgpool(self.features(x)))",
             "x = self.avgpool(self.features(x))\n"
             "        return self.classifier(torch.flatten(x, 1))")).replace(
            "nn.ReLU()", "nn.ReLU(inplace=True)")),
    ],
    "feature_maps": [
        Right("solution", FEATURE_MAPS),
        Right("a loop, inference mode, clone then detach", """
def feature_maps(model, x):
    outputs, handles = [], []
    for name, layer in model.named_modules():
        if type(layer) in (nn.Conv2d, nn.MaxPool2d):
            handles.append(layer.register_forward_hook(
                lambda mod, inp, out: outputs.append(out.clone().detach())))
    with torch.inference_mode():
        model(x)
    for handle in handles:
        handle.remove()
    return outputs
"""),
    ],
}

globals().update(suite("09_alexnet", WRONG, RIGHT, least_specific=0.85))
