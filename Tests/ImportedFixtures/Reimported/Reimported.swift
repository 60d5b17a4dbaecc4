// Written by `BERTH_RECORD_GOLDEN=1 swift test --filter RenderedExamplesTests`: each example's
// rendered file as `berth import` writes it back, compiled here so the tests render exactly
// what the importer wrote.
import Berth

/// The deployment of each re-imported example, by `<stack>-<environment>`.
public let reimportedExamples: [String: Deployment] = [
    "infra-dev": InfraDev.deployment,
    "infra-prod": InfraProd.deployment,
    "nextcandle-dev": NextcandleDev.deployment,
    "nextcandle-stg": NextcandleStg.deployment,
    "nextcandle-prod": NextcandleProd.deployment,
    "nextcandle-shared-dev": NextcandleSharedDev.deployment,
    "nextcandle-shared-stg": NextcandleSharedStg.deployment,
    "nextcandle-shared-prod": NextcandleSharedProd.deployment,
    "behindy-ops-dev": BehindyOpsDev.deployment,
    "behindy-ops-prod": BehindyOpsProd.deployment,
    "behindy-front-dev": BehindyFrontDev.deployment,
    "behindy-front-prod": BehindyFrontProd.deployment,
    "behindy-back-dev": BehindyBackDev.deployment,
    "behindy-back-prod": BehindyBackProd.deployment,
    "behindy-story-dev": BehindyStoryDev.deployment,
    "behindy-story-prod": BehindyStoryProd.deployment,
    "behindy-admin-dev": BehindyAdminDev.deployment,
    "behindy-admin-prod": BehindyAdminProd.deployment,
]
