"""Notebook 08 (LeNet-5): wrong answers as students write them fail with their diagnosis;
correct answers written differently pass, visible and hidden."""
from .harness import Right, Wrong, suite


LENET = """
class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = F.relu(self.fc1(x.flatten(1)))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
"""


def lenet(*changes):
    """The solution's LeNet5 with some lines changed, as a student's edit would."""
    source = LENET
    for old, new in changes:
        assert old in source, old
        source = source.replace(old, new)
    return source


TRAIN_STEP = """
def train_step(model, x, y, optimizer):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
"""


def train_step(*changes):
    source = TRAIN_STEP
    for old, new in changes:
        assert old in source, old
        source = source.replace(old, new)
    return source


MLP = """
class MLP(nn.Module):
    def __init__(self, hidden=(128, 64)):
        super().__init__()
        sizes = [784, *hidden, 10]
        self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        x = x.flatten(1)
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)
"""


def mlp(*changes):
    source = MLP
    for old, new in changes:
        assert old in source, old
        source = source.replace(old, new)
    return source


WRONG = {
    "count_parameters": [
        Wrong("counts the tensors", "def count_parameters(model):\n"
              "    return len(list(model.parameters()))", says="number of parameter tensors"),
        Wrong("weights only, by name", "def count_parameters(model):\n"
              "    return sum(p.numel() for n, p in model.named_parameters() if 'weight' in n "
              "and p.dim() > 1)", says="only the weights"),
        Wrong("matrices only", "def count_parameters(model):\n"
              "    return sum(p.numel() for p in model.parameters() if p.dim() > 1)",
              says="only the weights"),
        Wrong("len instead of numel", "def count_parameters(model):\n"
              "    return sum(len(p) for p in model.parameters())", says="p.numel()"),
        Wrong("state_dict", "def count_parameters(model):\n"
              "    return sum(v.numel() for v in model.state_dict().values())",
              says="running statistics"),
        Wrong("recurse=False", "def count_parameters(model):\n"
              "    return sum(p.numel() for p in model.parameters(recurse=False))"),
        Wrong("counts the modules", "def count_parameters(model):\n"
              "    return len(list(model.modules()))"),
        Wrong("a float", "def count_parameters(model):\n"
              "    return float(sum(p.numel() for p in model.parameters()))",
              says="return an int"),
    ],
    "LeNet5": [
        Wrong("no ReLU at all", lenet(("F.relu(self.conv1(x))", "self.conv1(x)"),
                                      ("F.relu(self.conv2(x))", "self.conv2(x)"),
                                      ("F.relu(self.fc1(x.flatten(1)))", "self.fc1(x.flatten(1))"),
                                      ("F.relu(self.fc2(x))", "self.fc2(x)")),
              says="there is no ReLU"),
        Wrong("ReLU on the convolutions only", lenet(
            ("F.relu(self.fc1(x.flatten(1)))", "self.fc1(x.flatten(1))"),
            ("F.relu(self.fc2(x))", "self.fc2(x)")), says="fc1 and fc2 are not followed"),
        Wrong("ReLU on the dense layers only", lenet(
            ("F.relu(self.conv1(x))", "self.conv1(x)"), ("F.relu(self.conv2(x))", "self.conv2(x)")),
            says="conv1 and conv2 are not followed"),
        Wrong("tanh as in the paper", lenet(*[(f"F.relu(self.{n}", f"torch.tanh(self.{n}")
                                              for n in ("conv1", "conv2", "fc1", "fc2")]),
              says="not ReLU"),
        Wrong("ReLU on the scores", lenet(("return self.fc3(x)", "return F.relu(self.fc3(x))")),
              says="class scores go through a ReLU"),
        Wrong("softmax at the end", lenet(("return self.fc3(x)",
                                           "return F.softmax(self.fc3(x), dim=1)")),
              says="returns probabilities"),
        Wrong("average pooling", lenet(*[(f"self.pool{i} = nn.MaxPool2d(2)",
                                          f"self.pool{i} = nn.AvgPool2d(2)") for i in (1, 2)]),
              says="average pooling"),
        Wrong("no padding", lenet(("kernel_size=5, padding=2)", "kernel_size=5)"),
                                  ("16 * 5 * 5", "16 * 4 * 4")), says="padding=2"),
        Wrong("three input channels", lenet(("nn.Conv2d(1, 6", "nn.Conv2d(3, 6")),
              says="1 input channel"),
        Wrong("functional pooling", lenet(
            ("        self.pool1 = nn.MaxPool2d(2)\n", ""),
            ("        self.pool2 = nn.MaxPool2d(2)\n", ""),
            ("self.pool1(F.relu(self.conv1(x)))", "F.max_pool2d(F.relu(self.conv1(x)), 2)"),
            ("self.pool2(F.relu(self.conv2(x)))", "F.max_pool2d(F.relu(self.conv2(x)), 2)")),
              says="pooling layers are missing"),
        Wrong("flatten without the batch axis", lenet(("x.flatten(1)", "x.flatten()")),
              says="flattened to (N, 400)"),
        Wrong("view(1, -1)", lenet(("x.flatten(1)", "x.view(1, -1)")),
              says="the batch axis went into the features"),
        Wrong("no biases", lenet(*[(f"{a})\n", f"{a}, bias=False)\n") for a in (
            "padding=2", "kernel_size=5", "16 * 5 * 5, 120", "120, 84", "84, 10")]),
              says="biases"),
        Wrong("12 maps in conv2", lenet(("nn.Conv2d(6, 16", "nn.Conv2d(6, 12"),
                                        ("16 * 5 * 5", "12 * 5 * 5"))),
        Wrong("no ReLU after fc2", lenet(("F.relu(self.fc2(x))", "self.fc2(x)"))),
        Wrong("pooling with stride 1", lenet(("self.pool1 = nn.MaxPool2d(2)",
                                              "self.pool1 = nn.MaxPool2d(2, stride=1)"),
                                             ("16 * 5 * 5", "16 * 19 * 19"),
                                             ("self.pool2 = nn.MaxPool2d(2)",
                                              "self.pool2 = nn.MaxPool2d(2, stride=1)"))),
        Wrong("returns the maps too", lenet(("return self.fc3(x)", "return self.fc3(x), x")),
              says="returned a tuple"),
        Wrong("not an nn.Module", lenet(("class LeNet5(nn.Module):", "class LeNet5:"),
                                        ("        super().__init__()\n", "")),
              says="is not a torch.nn.Module"),
    ],
    "train_step": [
        Wrong("no zero_grad", train_step(("    optimizer.zero_grad()\n", "")),
              says="gradients add up"),
        Wrong("no step", train_step(("    optimizer.step()\n", "")), says="did not change"),
        Wrong("zero_grad between backward and step", train_step(
            ("    optimizer.zero_grad()\n", ""),
            ("    optimizer.step()\n", "    optimizer.zero_grad()\n    optimizer.step()\n")),
            says="did not change"),
        Wrong("no backward", train_step(("    loss.backward()\n", "")), says="did not change"),
        Wrong("step without parentheses", train_step(("optimizer.step()", "optimizer.step")),
              says="did not change"),
        Wrong("returns the tensor", train_step(("return loss.item()", "return loss")),
              says="return loss.item()"),
        Wrong("returns nothing", train_step(("return loss.item()", "pass")),
              says="returned None"),
        Wrong("returns a NumPy value", train_step(("return loss.item()",
                                                   "return loss.detach().numpy()")),
              says="return loss.item()"),
        Wrong("softmax before cross_entropy", train_step(
            ("F.cross_entropy(model(x), y)", "F.cross_entropy(F.softmax(model(x), dim=1), y)")),
            says="applies the softmax itself"),
        Wrong("nll_loss on the scores", train_step(("F.cross_entropy(", "F.nll_loss(")),
              says="log-probabilities"),
        Wrong("backward twice", train_step(("    loss.backward()\n",
                                            "    loss.backward()\n    loss.backward()\n"))),
    ],
    "MLP": [
        Wrong("no ReLU", mlp(("x = F.relu(layer(x))", "x = layer(x)")), says="there is no ReLU"),
        Wrong("ReLU on the scores", mlp(("return self.layers[-1](x)",
                                         "return F.relu(self.layers[-1](x))")),
              says="class scores go through a ReLU"),
        Wrong("no output layer", mlp(("sizes = [784, *hidden, 10]", "sizes = [784, *hidden]"),
                                     ("for layer in self.layers[:-1]:",
                                      "for layer in self.layers:"),
                                     ("return self.layers[-1](x)", "return x")),
              says="output layer"),
        Wrong("no flatten", mlp(("        x = x.flatten(1)\n", "")), says="flattened to (N, 784)"),
        Wrong("hidden sizes ignored", mlp(("sizes = [784, *hidden, 10]",
                                           "sizes = [784, 128, 64, 10]")),
              says="must follow `hidden`"),
        Wrong("no biases", mlp(("nn.Linear(i, o)", "nn.Linear(i, o, bias=False)")), says="bias"),
        Wrong("sigmoid", mlp(("F.relu(layer(x))", "torch.sigmoid(layer(x))")), says="not ReLU"),
        Wrong("plain list of layers", mlp(("nn.ModuleList(nn.Linear(i, o) for i, o in zip("
                                           "sizes[:-1], sizes[1:]))",
                                           "[nn.Linear(i, o) for i, o in zip(sizes[:-1], "
                                           "sizes[1:])]")),
              says="nn.ModuleList"),
        Wrong("log_softmax at the end", mlp(("return self.layers[-1](x)",
                                             "return F.log_softmax(self.layers[-1](x), dim=1)")),
              says="returns probabilities"),
    ],
}

RIGHT = {
    "count_parameters": [
        Right("solution", "def count_parameters(model):\n"
              "    return sum(p.numel() for p in model.parameters())"),
        Right("a loop over named parameters", """
def count_parameters(model):
    total = 0
    for name, p in model.named_parameters():
        total += p.numel()
    return total
"""),
        Right("math.prod of the shapes", "def count_parameters(model):\n"
              "    return sum(math.prod(p.shape) for p in model.parameters())"),
        Right("trainable ones", "def count_parameters(model):\n"
              "    return sum(p.numel() for p in model.parameters() if p.requires_grad)"),
    ],
    "LeNet5": [
        Right("solution", LENET),
        Right("nn.Sequential, nn.ReLU modules, ReLU after pooling", """
class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(6, 16, 5), nn.MaxPool2d(2), nn.ReLU())
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
"""),
        Right("view and in-place ReLUs", lenet(
            ("x.flatten(1)", "x.view(x.size(0), -1)"),
            ("F.relu(self.fc2(x))", "F.relu(self.fc2(x), inplace=True)"),
            ("F.relu(self.conv1(x))", "torch.relu(self.conv1(x))"))),
        Right("other names", lenet(*[(f"self.{a}", f"self.{b}") for a, b in (
            ("conv1", "c1"), ("conv2", "c3"), ("pool1", "s2"), ("pool2", "s4"), ("fc1", "f5"),
            ("fc2", "f6"), ("fc3", "out"))])),
    ],
    "train_step": [
        Right("solution", TRAIN_STEP),
        Right("model.zero_grad and CrossEntropyLoss", """
def train_step(model, x, y, optimizer):
    model.zero_grad()
    criterion = nn.CrossEntropyLoss()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss)
"""),
        Right("zero_grad after the step", """
def train_step(model, x, y, optimizer):
    model.train()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.detach().item()
"""),
    ],
    "MLP": [
        Right("solution", MLP),
        Right("nn.Sequential built in a loop", """
class MLP(nn.Module):
    def __init__(self, hidden=(128, 64)):
        super().__init__()
        layers = [nn.Flatten()]
        previous = 28 * 28
        for h in hidden:
            layers += [nn.Linear(previous, h), nn.ReLU()]
            previous = h
        layers.append(nn.Linear(previous, 10))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)
"""),
        Right("view and a separate output layer", """
class MLP(nn.Module):
    def __init__(self, hidden=(128, 64)):
        super().__init__()
        sizes = [784] + list(hidden)
        self.hidden = nn.ModuleList([nn.Linear(sizes[i], sizes[i + 1])
                                     for i in range(len(hidden))])
        self.out = nn.Linear(sizes[-1], 10)

    def forward(self, x):
        x = x.view(len(x), -1)
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.out(x)
"""),
    ],
}

globals().update(suite("08_lenet", WRONG, RIGHT, least_specific=0.85))
