import BerthProcess
import Foundation

/// Formats generated Swift with the toolchain's `swift format`, with the rules Berth's own
/// sources follow, so an imported package reads like one written by hand.
public enum SwiftFormatting {
    /// The configuration written into an imported package as `.swift-format`: Berth's own `.swift-format`, word for word.
    public static let configuration = """
        {
          "fileScopedDeclarationPrivacy": {
            "accessLevel": "private"
          },
          "indentBlankLines": false,
          "indentConditionalCompilationBlocks": true,
          "indentSwitchCaseLabels": false,
          "indentation": {
            "spaces": 4
          },
          "lineBreakAroundMultilineExpressionChainComponents": false,
          "lineBreakBeforeControlFlowKeywords": false,
          "lineBreakBeforeEachArgument": false,
          "lineBreakBeforeEachGenericRequirement": false,
          "lineBreakBetweenDeclarationAttributes": false,
          "lineLength": 120,
          "maximumBlankLines": 1,
          "multiElementCollectionTrailingCommas": true,
          "noAssignmentInExpressions": {
            "allowedFunctions": [
              "XCTAssertNoThrow"
            ]
          },
          "orderedImports": {
            "includeConditionalImports": false
          },
          "prioritizeKeepingFunctionOutputTogether": false,
          "reflowMultilineStringLiterals": "never",
          "respectsExistingLineBreaks": true,
          "rules": {
            "AllPublicDeclarationsHaveDocumentation": false,
            "AlwaysUseLiteralForEmptyCollectionInit": false,
            "AlwaysUseLowerCamelCase": true,
            "AmbiguousTrailingClosureOverload": true,
            "AvoidRetroactiveConformances": true,
            "BeginDocumentationCommentWithOneLineSummary": false,
            "DoNotUseSemicolons": true,
            "DontRepeatTypeInStaticProperties": true,
            "FileScopedDeclarationPrivacy": true,
            "FullyIndirectEnum": true,
            "GroupNumericLiterals": true,
            "IdentifiersMustBeASCII": true,
            "NeverForceUnwrap": false,
            "NeverUseForceTry": false,
            "NeverUseImplicitlyUnwrappedOptionals": false,
            "NoAccessLevelOnExtensionDeclaration": true,
            "NoAssignmentInExpressions": true,
            "NoBlockComments": true,
            "NoCasesWithOnlyFallthrough": true,
            "NoEmptyLinesOpeningClosingBraces": false,
            "NoEmptyTrailingClosureParentheses": true,
            "NoLabelsInCasePatterns": true,
            "NoLeadingUnderscores": false,
            "NoParensAroundConditions": true,
            "NoPlaygroundLiterals": true,
            "NoVoidReturnOnFunctionSignature": true,
            "OmitExplicitReturns": false,
            "OneCasePerLine": true,
            "OneVariableDeclarationPerLine": true,
            "OnlyOneTrailingClosureArgument": true,
            "OrderedImports": true,
            "ReplaceForEachWithForLoop": true,
            "ReturnVoidInsteadOfEmptyTuple": true,
            "TypeNamesShouldBeCapitalized": true,
            "UseEarlyExits": false,
            "UseExplicitNilCheckInConditions": true,
            "UseLetInEveryBoundCaseVariable": true,
            "UseShorthandTypeNames": true,
            "UseSingleLinePropertyGetter": true,
            "UseSynthesizedInitializer": true,
            "UseTripleSlashForDocumentationComments": true,
            "UseWhereClausesInForLoops": false,
            "ValidateDocumentationComments": false
          },
          "spacesAroundRangeFormationOperators": false,
          "spacesBeforeEndOfLineComments": 2,
          "tabWidth": 8,
          "version": 1
        }

        """

    /// The source formatted, or `nil` when `swift format` cannot be run (no toolchain on the
    /// PATH): the source is valid as it is, only less tidy.
    public static func format(_ source: String) async -> String? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-format-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let settings = folder.appendingPathComponent(".swift-format")
            let file = folder.appendingPathComponent("Source.swift")
            try configuration.write(to: settings, atomically: true, encoding: .utf8)
            try source.write(to: file, atomically: true, encoding: .utf8)
            let outcome = try await Command.run([
                "swift", "format", "format", "--in-place", "--configuration", settings.path, file.path,
            ])
            guard outcome.status == 0 else { return nil }
            return try String(contentsOf: file, encoding: .utf8)
        } catch {
            return nil
        }
    }
}
