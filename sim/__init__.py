"""sim: the numerical engine (problems, SGD/GD, gradient flow, stochastic gradient flow).

Numerics only: ``sim`` never imports ``theorems``, hypothesis or sympy. float64 throughout; replicas
on a leading axis, advanced together by matrix products.
"""

from sim.deep_relu import DeepReLUNetwork
from sim.diagonal_kernels import Run, run_gd, run_sgd, run_sgf
from sim.dynamics import (
    Divergence,
    FlowResult,
    Recorder,
    RunResult,
    gd,
    gradient_flow,
    sde_solve,
    sgd,
)
from sim.noise import BrownianPath, coarsen, draw_batch_indices, replica_generators
from sim.perceptron import SphericalPerceptron, projected_descent
from sim.problems import (
    DiagonalNetwork,
    DiagonalSGF,
    LeastSquares,
    LogisticRegression,
    Problem,
    ReLUNeuron,
)
from sim.sde import SCHEMES, GeometricBrownianMotion, OrnsteinUhlenbeck, Scheme, SDETerm, get_scheme
from sim.selection import BernoulliSelection, PersistentSelection

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
    "FlowResult",
    "GeometricBrownianMotion",
    "LeastSquares",
    "LogisticRegression",
    "OrnsteinUhlenbeck",
    "Problem",
    "ReLUNeuron",
    "Recorder",
    "Run",
    "RunResult",
    "SDETerm",
    "Scheme",
    "coarsen",
    "draw_batch_indices",
    "gd",
    "get_scheme",
    "gradient_flow",
    "replica_generators",
    "run_gd",
    "run_sgd",
    "run_sgf",
    "sde_solve",
    "sgd",
]
