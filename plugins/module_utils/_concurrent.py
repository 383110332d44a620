# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Independent AWS reads of one module run side by side, so that a read of N calls waits about one call's
latency per round instead of N.

The estate modules make their clients up front (a boto3 session is not thread-safe, a botocore client is) and
hand the reads to ``in_parallel``: results come back in the order the reads were given, whatever order they
finish in, and an error is raised as the sequential reading would have met it first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

# As many requests in flight as Terraform refreshes with, and below botocore's default connection pool (10),
# so no request waits for a connection.
MAX_IN_FLIGHT = 8


def in_parallel(reads, max_in_flight=None):
    """Call each of ``reads`` (callables without arguments), at most ``max_in_flight`` at a time; their results
    as a list, in the order of ``reads``. ``max_in_flight`` None: ``MAX_IN_FLIGHT``.

    When reads fail, the error of the first failed read in the order of ``reads`` is raised, once every
    read that started has ended (those not started yet are not started). One read, or a limit of one, runs
    in the calling thread.
    """
    reads = list(reads)
    if max_in_flight is None:
        max_in_flight = MAX_IN_FLIGHT
    if len(reads) <= 1 or max_in_flight <= 1:
        return [read() for read in reads]
    failed = None
    with ThreadPoolExecutor(max_workers=min(max_in_flight, len(reads))) as pool:
        futures = [pool.submit(read) for read in reads]
        for future in futures:
            if future.exception() is not None:  # waits for the read; the ones before it succeeded
                failed = future.exception()
                for later in futures:
                    later.cancel()  # those not started stay so; running ones end on their own
                break
    # Leaving the pool waited for the reads that were running.
    if failed is not None:
        raise failed
    return [future.result() for future in futures]


def pairs(asked, results):
    """Each item asked with its result (``in_parallel`` returns one result per read, in the order asked)."""
    if len(asked) != len(results):
        raise ValueError("%d results for %d reads" % (len(results), len(asked)))
    return [(item, results[index]) for index, item in enumerate(asked)]
