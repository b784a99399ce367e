"""Code in the style of the original book's Chapters 4 to 7, run on d2l.py.

The project's own program, not the book's text: it calls the functions of
"Tools for Later Chapters" the way those chapters do. Kaggle-style house
prices, downloaded through DATA_HUB from a mirror and read with pandas
(Section 4.10); weight decay, judged by evaluate_loss (4.5); edges found
by cross-correlation, and the kernel learned back from them (6.2, 6.4); a
LeNet-style network and a small residual network trained by train_ch6 on
the device try_gpu picks (6.6, 7.6), on the first images of Fashion-MNIST.
Downloads go to ../data, as in the book, so run it in a folder of its own.
It prints its measurements as one line of JSON for
tests/test_later_chapters.py.

Usage: python later_chapter_tools_program.py MIRROR TRAIN_SHA1 TEST_SHA1
"""
import json
import os
import random
import sys

from d2l import mxnet as d2l  # first: it pins numpy's kernels
from mxnet import autograd, gluon, init, np, npx
from mxnet.gluon import nn
import numpy as onp
import pandas as pd  # after d2l too, as pandas loads numpy

npx.set_np()
# Every generator seeded, as in the book's notebooks: MXNet's draws the
# weights and the synthetic data; NumPy's shuffles the minibatches.
random.seed(2)
onp.random.seed(2)
npx.random.seed(2)
d2l.plt.switch_backend('agg')  # the curves are not looked at here
results = {}
mirror, train_sha1, test_sha1 = sys.argv[1:4]

# ---- House prices from a mirror -------------------------------------------
d2l.DATA_HUB['kaggle_house_train'] = (mirror + 'kaggle_house_pred_train.csv',
                                      train_sha1)
d2l.DATA_HUB['kaggle_house_test'] = (mirror + 'kaggle_house_pred_test.csv',
                                     test_sha1)
train_data = pd.read_csv(d2l.download('kaggle_house_train'))
test_data = pd.read_csv(d2l.download('kaggle_house_test'))
features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
numeric = features.dtypes[features.dtypes != 'object'].index
features[numeric] = features[numeric].apply(
    lambda column: (column - column.mean()) / column.std()).fillna(0)
features = pd.get_dummies(features, dummy_na=True)
n = len(train_data)
X = d2l.tensor(features[:n].values.astype('float32'))
y = d2l.tensor(train_data.SalePrice.values.reshape(-1, 1), dtype=d2l.float32)


def log_rmse(net, X, y):
    """Root-mean-square error of the logarithms of the prices."""
    predictions = np.clip(net(X), 1, float('inf'))
    return float(np.sqrt(((np.log(predictions) - np.log(y)) ** 2).mean()))


net = nn.Sequential()
net.add(nn.Dense(1))
net.initialize()
trainer = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': 5})
before = log_rmse(net, X, y)
for _ in range(10):
    d2l.train_epoch_ch3(net, d2l.load_array((X, y), 16),
                        gluon.loss.L2Loss(), trainer)
results['house'] = {
    'files': sorted(os.listdir(os.path.join('..', 'data'))),
    'shapes': [list(train_data.shape), list(test_data.shape)],
    'columns': list(features.columns), 'missing': int(features.isna().sum()
                                                       .sum()),
    'log_rmse': [before, log_rmse(net, X, y)]}

# ---- Weight decay -----------------------------------------------------------
n_train, n_test, num_inputs = 20, 100, 200
true_w, true_b = d2l.ones((num_inputs, 1)) * 0.01, 0.05
train_iter = d2l.load_array(d2l.synthetic_data(true_w, true_b, n_train), 5)
test_iter = d2l.load_array(d2l.synthetic_data(true_w, true_b, n_test), 5,
                           is_train=False)


def fit(wd, num_epochs=30):
    """Train a linear model with weight decay `wd`; return its losses."""
    net = nn.Sequential()
    net.add(nn.Dense(1))
    net.initialize(init.Normal(sigma=1))
    loss = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params('.*weight'), 'sgd',
                            {'learning_rate': 0.003, 'wd': wd})
    net.collect_params('.*bias').setattr('lr_mult', 0)
    for _ in range(num_epochs):
        for X, y in train_iter:
            with autograd.record():
                l = loss(net(X), y)  # noqa: E741 (the book's name)
            l.backward()
            trainer.step(X.shape[0])
    return [d2l.evaluate_loss(net, data, loss)
            for data in (train_iter, test_iter)]


results['weight_decay'] = {'none': fit(0), 'some': fit(3)}

# ---- Edges, and the kernel that finds them ----------------------------------
X = d2l.ones((6, 8))
X[:, 2:6] = 0  # a dark band
K = d2l.tensor([[1.0, -1.0]])
Y = d2l.corr2d(X, K)
conv = nn.Conv2D(1, kernel_size=(1, 2), use_bias=False)
conv.initialize()
X4, Y4 = d2l.reshape(X, (1, 1, 6, 8)), d2l.reshape(Y, (1, 1, 6, 7))
for _ in range(30):
    with autograd.record():
        l = (conv(X4) - Y4) ** 2  # noqa: E741
    l.backward()
    conv.weight.data()[:] -= 0.03 * conv.weight.grad()


def corr2d_multi_in(X, K):
    """Cross-correlation over several input channels, summed."""
    return sum(d2l.corr2d(x, k) for x, k in zip(X, K))


X2 = np.random.normal(size=(2, 5, 5))
K2 = np.random.normal(size=(2, 3, 3))
layer = nn.Conv2D(1, kernel_size=3, use_bias=False)
layer.initialize()
layer(X2[None])
layer.weight.set_data(K2[None])
results['convolution'] = {
    'edges': d2l.numpy(Y).tolist(),
    'learned': d2l.numpy(conv.weight.data()).ravel().tolist(),
    'channels_error': float(np.abs(corr2d_multi_in(X2, K2) -
                                   layer(X2[None])[0, 0]).max())}


# ---- Convolutional networks on a device ------------------------------------
def first(data, n, batch_size, shuffle):
    """A data iterator over the first n examples of `data`, as floats."""
    X = data.images[:n].transpose(0, 3, 1, 2).astype('float32') / 255
    return d2l.load_array((X, np.array(data.labels[:n])), batch_size,
                          shuffle)


train_iter = first(d2l.FashionMNIST(train=True), 1536, 128, True)
test_iter = first(d2l.FashionMNIST(train=False), 512, 128, False)
device = d2l.try_gpu()
lenet = nn.Sequential()
lenet.add(nn.Conv2D(6, kernel_size=5, padding=2, activation='relu'),
          nn.MaxPool2D(pool_size=2, strides=2),
          nn.Conv2D(16, kernel_size=5, activation='relu'),
          nn.MaxPool2D(pool_size=2, strides=2),
          nn.Dense(120, activation='relu'), nn.Dense(84, activation='relu'),
          nn.Dense(10))
metrics = d2l.train_ch6(lenet, train_iter, test_iter, 3, 0.1, device)
resnet = nn.Sequential()
resnet.add(nn.Conv2D(8, kernel_size=3, padding=1), nn.BatchNorm(),
           nn.Activation('relu'), nn.MaxPool2D(pool_size=2, strides=2),
           d2l.Residual(8), d2l.Residual(16, use_1x1conv=True, strides=2),
           nn.GlobalAvgPool2D(), nn.Dense(10))
results['devices'] = [str(device), [str(d) for d in d2l.try_all_gpus()]]
results['lenet'] = list(metrics)
results['lenet_evaluated'] = d2l.evaluate_accuracy_gpu(lenet, test_iter)
results['resnet'] = list(d2l.train_ch6(resnet, train_iter, test_iter, 2,
                                       0.1, device))
d2l.plt.close('all')
json.dump(results, sys.stdout)
print()
