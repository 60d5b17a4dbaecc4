import Berth
import HelloTopology

await hello.main()
