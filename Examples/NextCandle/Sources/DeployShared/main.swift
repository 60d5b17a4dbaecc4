import Berth
import NextCandleTopology

await nextcandleShared.main()
