"""Coordinate descent over a grid, as the offline fits use it: each parameter in turn set to
the grid value of least MAPE on a sample of the rows (every `every`-th), for `rounds` rounds."""


def coordinate_descent(P, grid, rows, mape, rounds, every):
    sample = rows[::every]
    for it in range(rounds):
        for key, vals in grid.items():
            P[key] = min(vals, key=lambda v: mape(dict(P, **{key: v}), sample))
        print(f'round {it}: {P} MAPE {100 * mape(P, sample):.2f}% (every {every} rows)')
    print(f'after: MAPE {100 * mape(P, rows):.1f}% over {len(rows)} rows')
    return P
