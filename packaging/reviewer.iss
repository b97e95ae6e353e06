; Inno Setup 6 script: a Windows installer for the PyInstaller folder (packaging/README.md).
; NOT BUILT OR TESTED by the project: its machines are Linux only. Build on Windows after
;   pyinstaller --noconfirm --clean packaging\reviewer.spec
; which leaves dist\reviewer\reviewer.exe, with:
;   iscc /DAppVersion=0.1.0 packaging\reviewer.iss
; Output: dist\Reviewer-0.1.0-windows-x86_64-setup.exe

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6B1F5E7A-3C2D-4E8B-9A41-52C0D7E8F310}
AppName=Reviewer
AppVersion={#AppVersion}
AppPublisher=Reviewer contributors
DefaultDirName={autopf}\Reviewer
DefaultGroupName=Reviewer
; Per-user install by default: no administrator rights needed.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=Reviewer-{#AppVersion}-windows-x86_64-setup
SetupIconFile=reviewer.ico
UninstallDisplayIcon={app}\Reviewer-app.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked

[Files]
Source: "..\dist\reviewer\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Reviewer"; Filename: "{app}\Reviewer-app.exe"
Name: "{group}\Uninstall Reviewer"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Reviewer"; Filename: "{app}\Reviewer-app.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Reviewer-app.exe"; Description: "Open Reviewer"; Flags: nowait postinstall skipifsilent

; The uninstaller removes the program folder only. The library, settings and caches stay in the
; folders `reviewer paths` lists (%LOCALAPPDATA%\reviewer); delete them to remove your calls too.
