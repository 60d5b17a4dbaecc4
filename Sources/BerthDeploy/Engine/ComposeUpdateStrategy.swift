import BerthCore

extension UpdateStrategy {
    /// The strategy a service gets on Compose, once its live containers are known: a container
    /// whose image keeps data in an anonymous volume (PostgreSQL's image declares
    /// `VOLUME /var/lib/postgresql/data`) is replaced by Compose itself, which moves that volume
    /// to the new container; a second container beside it would start with empty data.
    static func compose(for service: Service, live: [LiveContainer]) -> UpdateStrategy {
        let strategy = compose(for: service)
        guard strategy.order == .startFirst, let container = live.first(where: { !$0.anonymousVolumes.isEmpty })
        else { return strategy }
        return UpdateStrategy(
            order: .stopFirst,
            reason:
                "\(container.name) keeps data in an anonymous volume its image declares, which one container must own; name the volume (.volume(…)) to make that explicit"
        )
    }
}
