"""Everyday English analytics words that name nothing sensitive on their own.

Used by the property tests: glued, camelCased or snake_cased in any order, they must be graded
the same with every shipped language as with English alone (folding and compound splitting
must not make an English name look like a German or Spanish one). Words that are also in another
language's lexicon (``auto``: German, Italian and Dutch rule words; ``partner``, ``local``,
``terminal``, ``scroll``) are left out: a glued
``autoname`` is split as that language's compound by design.
"""

from __future__ import annotations

BENIGN_ENGLISH = sorted(
    set(
        """
        plan price currency item cart page button screen step total duration variant experiment
        campaign medium product category quantity discount coupon status level score tab section
        position size color theme language platform browser feature mode method result error
        reason amount tier seats region channel widget report filter sort layout source payment
        count date type order title number code value rate label path time image file list group
        team role flag enabled changed sent opened clicked template trial gift reward points
        stage event action track video audio song artist album game player room table row column
        field form flow checkout invoice refund shipping delivery pickup store shop brand vendor
         affiliate invite share like follow rating survey poll vote issue bug warning log
        trace release build commit branch repo project task sprint epic story doc tag topic font
        width height length depth weight speed distance interval period frequency limit quota
        usage cost budget revenue profit margin fee charge balance coin exchange market stock
        trade portfolio asset fund loan lease rent mortgage insurance policy premium coverage
        benefit provider network carrier route stop station port gate  seat cabin flight
        hotel booking reservation listing property unit floor building campus office desk meeting
        thread workspace tenant domain host server cluster zone pod node service endpoint api sdk
        app viewport  click tap swipe gesture keyboard mouse touch pen camera speaker sensor
        wifi bluetooth battery memory cpu disk storage cache queue job worker batch stream
        pipeline dataset experiment cohort segment funnel metric kpi goal target benchmark
        baseline forecast trend anomaly alert incident outage uptime latency throughput retry
        timeout deadline schedule calendar reminder notification newsletter subscription renewal
        cancellation churn retention engagement activation onboarding signup logout reset verify
        confirm approve reject pending active inactive archived deleted restored draft published
        scheduled expired locked banned muted pinned starred saved hidden visible public private
        shared owned assigned completed started paused resumed stopped failed passed skipped avg
        min max sum median pct ratio delta diff prev next initial final current original latest
        default custom manual smart quick simple advanced pro basic free paid lifetime
        annual monthly weekly daily hourly realtime live offline online  global internal
        external data info set version model engine index offset cursor batch window region
        """.split()
    )
)
