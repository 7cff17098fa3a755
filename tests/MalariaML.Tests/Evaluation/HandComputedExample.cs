using MalariaML.Evaluation;

namespace MalariaML.Tests.Evaluation;

/// <summary>
/// Ten predictions small enough to check every metric with pencil and paper (worked out below), shared by
/// the evaluator and ROC tests.
/// </summary>
internal static class HandComputedExample
{
    //  #  prob  truth   predicted at 0.5   outcome
    //  1  0.95  pos     pos                TP
    //  2  0.85  pos     pos                TP
    //  3  0.80  neg     pos                FP
    //  4  0.70  pos     pos                TP
    //  5  0.60  neg     pos                FP
    //  6  0.55  pos     pos                TP
    //  7  0.40  pos     neg                FN
    //  8  0.30  neg     neg                TN
    //  9  0.20  neg     neg                TN
    // 10  0.10  neg     neg                TN
    //
    // TP=4 FP=2 TN=3 FN=1, count 10, 5 positives, 5 negatives.
    // accuracy  = (4+3)/10          = 0.7
    // precision = 4/(4+2)           = 0.666667
    // recall    = 4/(4+1)           = 0.8
    // F1        = 2*4/(2*4+2+1)     = 8/11 = 0.727273   (= 2PR/(P+R) = 2*(2/3)*0.8/(2/3+0.8))
    // MCC       = (4*3 - 2*1) / sqrt((4+2)(4+1)(3+2)(3+1)) = 10/sqrt(600) = 0.408248
    // AUC (Mann-Whitney): for each positive count the negatives scoring lower:
    //   0.95 -> 5, 0.85 -> 5, 0.70 -> 4 (0.60,0.30,0.20,0.10), 0.55 -> 3, 0.40 -> 3;  U = 20
    //   AUC = U / (5*5) = 0.8
    // ROC points (fpr, tpr) @ threshold, by decreasing threshold:
    //   (0,0)@inf (0,.2)@.95 (0,.4)@.85 (.2,.4)@.80 (.2,.6)@.70 (.4,.6)@.60 (.4,.8)@.55 (.4,1)@.40
    //   (.6,1)@.30 (.8,1)@.20 (1,1)@.10
    //   trapezoids where fpr moves: .2*.4 + .2*.6 + .2*1 + .2*1 + .2*1 = 0.8 (matches U/(PN)).
    public static readonly BinaryPrediction[] Predictions =
    [
        new(0.95, true),
        new(0.85, true),
        new(0.80, false),
        new(0.70, true),
        new(0.60, false),
        new(0.55, true),
        new(0.40, true),
        new(0.30, false),
        new(0.20, false),
        new(0.10, false),
    ];
}
