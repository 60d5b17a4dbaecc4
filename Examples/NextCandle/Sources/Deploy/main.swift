import Berth
import NextCandleTopology

await nextcandle.main()
