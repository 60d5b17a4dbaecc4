import Berth
import InfraPlatform

await InfraPlatform.deployment.main()
