import BehindyOps
import Berth

await BehindyOps.deployment.main()
