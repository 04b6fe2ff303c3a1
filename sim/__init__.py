"""sim: the numerical engine (problems, SGD/GD, gradient flow, stochastic gradient flow, optimizers).

Optimizers are gradient transformations (:mod:`sim.optimizers`: GD, momentum, AdaGrad, RMSProp, Adam,
mirror and steepest descent, step-size policies); :func:`train` drives any (problem, optimizer) pair.
Separable classification: :class:`LinearClassifier`, :class:`TwoLayerClassifier` (stable at large margins).

Numerics only: ``sim`` never imports ``theorems``, hypothesis or sympy. float64 throughout; replicas
on a leading axis, advanced together by matrix products.
"""

from sim import optimizers
from sim.classification import (
    LinearClassifier,
    LinearPath,
    TwoLayerClassifier,
    linear_adaptive_path,
)
from sim.deep_relu import DeepReLUNetwork
from sim.diagonal_kernels import Run, run_gd, run_sgd, run_sgf
from sim.dynamics import (
    Divergence,
    DivergenceWarning,
    FlowResult,
    Recorder,
    RunResult,
    gd,
    gradient_flow,
    sde_solve,
    sgd,
)
from sim.gnn import LinearGNN, erdos_renyi, normalized_adjacency
from sim.noise import BrownianPath, coarsen, draw_batch_indices, replica_generators
from sim.optimizers import GradientTransformation, Potential, StepSize
from sim.perceptron import SphericalPerceptron, projected_descent
from sim.problems import (
    DiagonalNetwork,
    DiagonalSGF,
    LeastSquares,
    LogisticRegression,
    Problem,
    ReLUNeuron,
)
from sim.rnn import LinearRNN, impulse_response
from sim.sde import SCHEMES, GeometricBrownianMotion, OrnsteinUhlenbeck, Scheme, SDETerm, get_scheme
from sim.selection import BernoulliSelection, PersistentSelection
from sim.training import train

__all__ = [
    "BernoulliSelection",
    "DeepReLUNetwork",
    "PersistentSelection",
    "SphericalPerceptron",
    "projected_descent",
    "SCHEMES",
    "BrownianPath",
    "DiagonalNetwork",
    "DiagonalSGF",
    "Divergence",
    "DivergenceWarning",
    "FlowResult",
    "GeometricBrownianMotion",
    "GradientTransformation",
    "LinearClassifier",
    "LinearPath",
    "LeastSquares",
    "LinearGNN",
    "LinearRNN",
    "LogisticRegression",
    "OrnsteinUhlenbeck",
    "Potential",
    "Problem",
    "ReLUNeuron",
    "Recorder",
    "Run",
    "RunResult",
    "SDETerm",
    "Scheme",
    "StepSize",
    "TwoLayerClassifier",
    "coarsen",
    "draw_batch_indices",
    "erdos_renyi",
    "gd",
    "get_scheme",
    "gradient_flow",
    "impulse_response",
    "normalized_adjacency",
    "linear_adaptive_path",
    "optimizers",
    "replica_generators",
    "run_gd",
    "run_sgd",
    "run_sgf",
    "sde_solve",
    "sgd",
    "train",
]
