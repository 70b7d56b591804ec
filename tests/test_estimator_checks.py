from sklearn.utils.estimator_checks import parametrize_with_checks

from tabpfn_lite import TabPFNLiteClassifier


@parametrize_with_checks([TabPFNLiteClassifier(n_estimators=2, random_state=0)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
