#!/usr/bin/env python3
"""Stand-in for the reference `learnware` package's table RKME, for bench/cli-spec.bench.ts.

The reference package (Learnware-LAMDA `learnware` 0.3.x, RKMETableSpecification) cannot be
installed here (no PyPI). This file is our own port of its *documented* algorithm
(docs/algorithms.md §1, the shared reference notes §1), written from that description, not
copied from the package. It runs on Debian's torch (python3-torch, 1.13) on the CPU, as the
reference does without `cuda_idx`; `bash scripts/ensure-reference-python.sh` installs it.

    /usr/bin/python3 bench/reference/rkme_table.py data.csv [--out stat.json] [--k 100]
        [--gamma 0.1] [--steps 3] [--step-size 0.1] [--threads N] [--qp cvxopt|slsqp]

Reads a CSV with one header row (numpy.loadtxt; the reference's user hands it a numpy array),
builds the spec, writes stat.json in the reference's layout (docs/spec-format.md) and prints one
JSON object of timings on standard output.

What it does, in the reference's order (generate_rkme_table_spec + generate_stat_spec_from_data):
  * X -> np.array -> contiguous float32 (two copies, as the public generator makes);
  * K caps: K*d > 1,310,720 -> K = max(20, 1,310,720 // d); then K >= n -> K = max(1, 2n // 3);
  * +-Inf -> NaN, NaN -> mean of the column's other values (error if a column is all NaN);
  * k-means as fast_pytorch_kmeans 0.2.0.1 runs it: float32, K initial rows drawn uniformly WITH
    replacement from numpy's global RNG, dense Lloyd steps (similarity 2x.c - |x|^2 - |c|^2, a
    dense K x n float32 membership mask times X), up to 100 iterations, stop when the summed
    squared centroid movement is <= 1e-4; centroids -> float64;
  * beta: the simplex QP  min 1/2 b'Kzz b - c'b  s.t. sum b = 1, b >= 0, with c_i the mean of
    k(z_i, x_l) over the rows; every kernel call casts both sides to float64 (so the float32 X is
    copied to float64 at every beta fit) and expands |a|^2 - 2a.b + |b|^2;
  * `steps` (3) times: one Z step, then a new beta. The Z step is the reference's own plain update
    (it has no torch optimiser): G_i = -2 gamma beta_i (t1_i + t2_i), z_i <- z_i - step_size G_i,
    step_size 0.1, with t1_i = sum_j beta_j k(z_i, z_j)(z_i - z_j) and
    t2_i = -(2/n) sum_l k(z_i, x_l)(z_i - x_l), computed one reduced point at a time (a Python
    loop over the K rows, each materialising n x d float64 temporaries), all rows from the old Z.
  * torch and numpy's RNGs are seeded with 0, as `learnware.init()` does on import.

The reference's documented bugs are kept, because they are part of its behaviour and cost:
  1. the Z step gives the Z-Z term t1 half its weight (the exact gradient has 2*t1), and its step
     of 0.1 is in raw feature units;
  2. k-means draws its initial centroids with replacement, and a cluster left without members
     becomes the zero vector (0/0 -> NaN -> 0), i.e. collapses to the origin;
  3. the data's squared norms are recomputed inside every kernel call (K + 2 times per Z step).

What differs from the package (docs/reference-port.md):
  * the QP solver: the reference calls qpsolvers with Clarabel (interior point; P, G, A as sparse
    CSC). Debian has neither, so this uses cvxopt's interior-point QP (Debian's python3-cvxopt)
    with Clarabel's default tolerances (1e-8 absolute/relative gap and feasibility), G and A sparse;
    `--qp slsqp` uses scipy's SLSQP instead;
  * torch threads: Debian's torch 1.13 build starts with 1 intra-op thread on this machine
    (upstream torch's default is the number of cores), so unless OMP_NUM_THREADS is set or
    --threads is given, this sets torch to every CPU the process may use, and reports both;
  * the package's own import (it pulls in many more modules) is not paid; torch's import is.
"""

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

IMPORTED = time.perf_counter()

MAX_REDUCED_SET_SIZE = 1_310_720  # the package's C.max_reduced_set_size
KMEANS_MAX_ITER = 100
KMEANS_TOL = 1e-4


def rbf(a, b, gamma):
    """exp(-gamma |a - b|^2) for all row pairs; both sides cast to float64 first, as the reference."""
    a = a.double()
    b = b.double()
    sq = torch.sum(a**2, 1, keepdim=True) - 2 * a @ b.T + torch.sum(b**2, 1, keepdim=True).T
    return torch.exp(-sq * gamma)


def kmeans_centroids(x, k, stats):
    """Lloyd's k-means on the float32 tensor x as fast_pytorch_kmeans 0.2.0.1 runs it (mode euclidean)."""
    n = x.shape[0]
    centroids = x[np.random.choice(n, size=[k])]  # uniform, with replacement
    labels = torch.arange(k)[:, None]
    iterations = 0
    for _ in range(KMEANS_MAX_ITER):
        iterations += 1
        sim = 2 * x @ centroids.transpose(-2, -1) - (x**2).sum(dim=1)[..., :, None] - (centroids**2).sum(dim=1)[..., None, :]
        closest = sim.max(dim=-1)[1]
        closest.unique(return_counts=True)  # computed by the library on every iteration (used by its minibatch mode)
        mask = (closest[None].expand(k, -1) == labels).to(x.dtype)
        moved = mask @ x / mask.sum(-1)[..., :, None]
        moved[moved != moved] = 0  # empty cluster: 0/0 -> 0, the centroid collapses to the origin
        error = (moved - centroids).pow(2).sum()
        centroids = centroids * 0 + moved * 1  # its update with learning rate 1 outside minibatch mode
        if error <= KMEANS_TOL:
            break
    stats["kmeans_iterations"] = iterations
    return centroids


def solve_simplex_qp(kzz, c, solver):
    """argmin 1/2 b'Kzz b - c'b over the simplex; returns (beta as a float64 tensor, objective)."""
    p = kzz.cpu().numpy().astype(np.float64)
    q = -c.cpu().numpy().astype(np.float64)
    k = q.shape[0]
    if solver == "cvxopt":
        import cvxopt
        import cvxopt.solvers

        cvxopt.solvers.options.update({"show_progress": False, "abstol": 1e-8, "reltol": 1e-8, "feastol": 1e-8})
        g = cvxopt.spmatrix(-1.0, range(k), range(k))
        a = cvxopt.spmatrix(1.0, [0] * k, range(k))
        result = cvxopt.solvers.qp(cvxopt.matrix(p), cvxopt.matrix(q), g, cvxopt.matrix(0.0, (k, 1)), a, cvxopt.matrix(1.0))
        if result["status"] != "optimal":
            print(f"warning: cvxopt QP status {result['status']}", file=sys.stderr)
        beta = np.array(result["x"]).reshape(-1)
    else:
        from scipy.optimize import minimize

        result = minimize(
            lambda b: 0.5 * b @ p @ b + q @ b,
            np.full(k, 1.0 / k),
            jac=lambda b: p @ b + q,
            method="SLSQP",
            bounds=[(0.0, None)] * k,
            constraints=[{"type": "eq", "fun": lambda b: b.sum() - 1.0, "jac": lambda b: np.ones(k)}],
            options={"ftol": 1e-12, "maxiter": 1000},
        )
        beta = result.x
    objective = float(0.5 * beta @ p @ beta + q @ beta)
    return torch.from_numpy(beta).reshape(-1), objective


def fit_beta(z, x, gamma, solver, stats):
    started = time.perf_counter()
    x = torch.from_numpy(x) if isinstance(x, np.ndarray) else x
    kzz = rbf(z, z, gamma)
    c = torch.sum(rbf(z, x, gamma), dim=1) / x.shape[0]
    beta, objective = solve_simplex_qp(kzz.double(), c.double(), solver)
    stats["beta_s"] += time.perf_counter() - started
    stats["objective"] = objective
    return beta


def step_z(z, beta, x, gamma, step_size, num_points, stats):
    started = time.perf_counter()
    z = z.double()
    x = torch.from_numpy(x).double()
    grad = torch.zeros_like(z)
    for i in range(z.shape[0]):
        zi = z[i, :].reshape(1, -1)
        t1 = (beta * rbf(zi, z, gamma)) @ (zi - z)
        t2 = -2 * (rbf(zi, x, gamma) / num_points) @ (zi - x)
        grad[i, :] = -2 * gamma * beta[i] * (t1 + t2)  # the exact gradient would have 2 * t1
    stats["z_s"] += time.perf_counter() - started
    return z - step_size * grad


def generate_table_spec(data, k, gamma, step_size, steps, solver, stats):
    """generate_rkme_table_spec(X, gamma, reduced_set_size=k, step_size, steps) with reduce and a non-negative beta."""
    x = np.ascontiguousarray(np.array(data)).astype(np.float32)
    n = x.shape[0]
    if k * x[0].size > MAX_REDUCED_SET_SIZE:
        k = max(20, MAX_REDUCED_SET_SIZE // x[0].size)
    if k >= n:
        k = max(1, int(2 * n / 3))
    z_shape = tuple([k] + list(x.shape)[1:])
    x = x.reshape(n, -1)

    x[np.isinf(x)] = np.nan
    if np.any(np.isnan(x)):
        for col in range(x.shape[1]):
            missing = np.isnan(x[:, col])
            if np.any(missing):
                if np.all(missing):
                    raise ValueError(f"column {col}: all values are NaN or infinite")
                x[:, col] = np.where(missing, np.nanmean(x[:, col]), x[:, col])

    started = time.perf_counter()
    z = kmeans_centroids(torch.from_numpy(x.astype("float32")), k, stats).double()
    stats["kmeans_s"] = time.perf_counter() - started
    beta = fit_beta(z, x, gamma, solver, stats)
    for _ in range(steps):
        z = step_z(z, beta, x, gamma, step_size, n, stats)
        beta = fit_beta(z, x, gamma, solver, stats)
    return {"z": z.reshape(z_shape), "beta": beta, "gamma": gamma, "num_points": n, "K": k}


def read_csv(path, delimiter):
    with open(path, encoding="utf-8") as f:
        header = f.readline()
    if delimiter is None:
        delimiter = max([",", "\t", ";"], key=header.count)
    try:
        data = np.loadtxt(path, delimiter=delimiter, skiprows=1, dtype=np.float64, ndmin=2)
    except ValueError:  # empty cells: genfromtxt reads them as NaN (slower)
        data = np.genfromtxt(path, delimiter=delimiter, skip_header=1, dtype=np.float64, missing_values="", filling_values=np.nan)
        data = data.reshape(data.shape[0], -1)
    return data


def main():
    parser = argparse.ArgumentParser(description="Port of the reference learnware table RKME (bench stand-in).")
    parser.add_argument("csv")
    parser.add_argument("--out", default="stat.json")
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--gamma", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--step-size", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--qp", choices=["cvxopt", "slsqp"], default="cvxopt")
    parser.add_argument("--delimiter", default=None)
    args = parser.parse_args()

    torch_default_threads = torch.get_num_threads()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    elif "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(len(os.sched_getaffinity(0)))
    np.random.seed(0)  # learnware.init() seeds numpy, random and torch with 0
    torch.manual_seed(0)

    started = time.perf_counter()
    data = read_csv(args.csv, args.delimiter)
    read_s = time.perf_counter() - started

    stats = {"beta_s": 0.0, "z_s": 0.0}
    started = time.perf_counter()
    spec = generate_table_spec(data, args.k, args.gamma, args.step_size, args.steps, args.qp, stats)
    spec_s = time.perf_counter() - started

    started = time.perf_counter()
    saved = {
        "z": spec["z"].detach().cpu().numpy().tolist(),
        "beta": spec["beta"].detach().cpu().numpy().tolist(),
        "gamma": spec["gamma"],
        "num_points": spec["num_points"],
        "type": "RKMETableSpecification",
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(saved, f, separators=(",", ":"))
    write_s = time.perf_counter() - started

    print(
        json.dumps(
            {
                "n": int(data.shape[0]),
                "d": int(data[0].size),
                "K": spec["K"],
                "import_s": IMPORTED - STARTED,
                "read_s": read_s,
                "spec_s": spec_s,
                "kmeans_s": stats["kmeans_s"],
                "kmeans_iterations": stats["kmeans_iterations"],
                "beta_s": stats["beta_s"],
                "z_s": stats["z_s"],
                "write_s": write_s,
                "total_s": time.perf_counter() - STARTED,
                "objective": stats["objective"],
                "qp": args.qp,
                "torch": torch.__version__,
                "torch_default_threads": torch_default_threads,
                "threads": torch.get_num_threads(),
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
