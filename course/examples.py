"""The worked examples the notebooks show and the checks use: one source for each.

Most come from the lecture (its 1D figure, its pooling grid, the edge filter of its demo site);
a few are the course's own small examples, chosen so that every typical mistake gives other
numbers. Notebooks import them from here rather than typing them again.
"""
from __future__ import annotations

import numpy as np

# CONVOLUTION: 1D. The lecture's numerical example, (1, 2, 3, 4) * (3, 2) = (7, 12, 17) ...
SMALL_X = np.array([1, 2, 3, 4])
SMALL_K = np.array([3, 2])
# ... and its figure: an input of 10 values and a kernel of 4.
LECTURE_X = np.array([1, 4, -1, 0, 2, -2, 1, 3, 3, 1])
LECTURE_K = np.array([1, 2, 0, -1])

# CONVOLUTION: 2D. The course's worked example: an asymmetric kernel, so that every flip or
# transpose gives other numbers.
WORKED_X = np.array([[1, 2, 0, 3],
                     [4, 1, -1, 0],
                     [0, 2, 3, 1],
                     [1, 0, 2, 2]])
WORKED_K = np.array([[1, 0],
                     [2, -1]])

# The "top edge" filter of the lecture's demo site: -1 on its top row, +1 on the middle one, so
# it is positive along the top edge of a bright object (dark above, bright below).
TOP_EDGE = np.array([[-1, -1, -1],
                     [1, 1, 1],
                     [0, 0, 0]])
# The Sobel filter for horizontal changes (left to right), a classic not in the lecture.
SOBEL_X = np.array([[-1, 0, 1],
                    [-2, 0, 2],
                    [-1, 0, 1]])

# POOLING. The 7 x 7 input of the lecture's pooling figure: every row is 1, 2, ..., 7.
LECTURE_GRID = np.tile(np.arange(1, 8), (7, 1))

for _example in (SMALL_X, SMALL_K, LECTURE_X, LECTURE_K, WORKED_X, WORKED_K, TOP_EDGE, SOBEL_X,
                 LECTURE_GRID):
    _example.setflags(write=False)  # shared by notebooks, checks and explorers: read only
