; Inno Setup 6 script for SENDIASS Desktop (Windows 10/11, 64-bit).
;
; Built by installer\windows\build.ps1, which reads the version from
; sendiass_desktop.__version__ and passes it in:
;
;   ISCC.exe /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 ^
;            /DSourceDir=..\..\dist\sendiass-desktop installer\windows\sendiass-desktop.iss
;
; Optional: /DSignTool=NAME together with ISCC's /SNAME="signtool.exe sign ... $f" to sign
; the installer and uninstaller (see installer\README.md).
;
; What it does:
; * installs the PyInstaller one-folder build (sendiass-desktop.exe, sendiass-admin.exe
;   and _internal\) for the current user (no administrator rights needed, default) or
;   for all users (Program Files), chosen on the first page or with /ALLUSERS /CURRENTUSER;
; * a Start menu shortcut, an optional desktop shortcut, an uninstaller;
; * asks where the store is: on this computer (each user's own data folder,
;   %LOCALAPPDATA%\sendiass-desktop\service.sendiass, the app's default), or a shared
;   network folder, which it writes to sendiass-desktop.ini beside the program
;   (read by sendiass_desktop\install_config.py). For silent installs:
;   /STOREDIR="\\server\share\SENDIASS" (a folder; the store file is service.sendiass in it).
;   A silent install takes that folder as given: it need not be reachable while installing.
;   Without /STOREDIR an upgrade keeps the earlier answer; /LOCALSTORE goes back to each
;   user's own data folder (removes the .ini). Both at once is refused (Setup stops, exit
;   code 1, nothing changed). The "Ready to install" page shows the choice, and Setup's
;   log (/LOG) records that page's text.
; * never touches a store: uninstalling leaves every store, backup and key file alone.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z (build.ps1 does this)
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric AppVersion
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\sendiass-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

#define AppName "SENDIASS Desktop"
#define AppExe "sendiass-desktop.exe"
#define AdminExe "sendiass-admin.exe"
#define ConfigFile "sendiass-desktop.ini"
#define StoreFileName "service.sendiass"

[Setup]
; Never change AppId: Windows recognises upgrades and the uninstaller by it.
AppId={{6F0C2A8E-5B7D-4C1E-9A3F-2D8B41E7C5A9}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductVersion={#AppVersionNumeric}
; The text forms (file properties' "File version"/"Product version") as the app writes them.
VersionInfoTextVersion={#AppVersion}
VersionInfoProductTextVersion={#AppVersion}
VersionInfoDescription={#AppName} setup
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default (no administrator rights); the first page offers "for all users".
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
UsePreviousPrivileges=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile=..\..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename=sendiass-desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running copy before replacing its files (and start nothing again afterwards:
; the user signs in again anyway).
CloseApplications=yes
RestartApplications=no
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "Create a &desktop shortcut"; GroupDescription: "Shortcuts:"; Flags: unchecked

[InstallDelete]
; An upgrade must not leave libraries of the previous version beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\{#AppExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#SourceDir}\{#AdminExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#SourceDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Offline, encrypted case management"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "Open {#AppName} now"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the installer's own settings file. Stores, key files and backups are never deleted.
Type: files; Name: "{app}\{#ConfigFile}"

[Code]
var
  StorePage: TInputOptionWizardPage;
  FolderPage: TInputDirWizardPage;
  { The previous install chose a shared folder, so an .ini beside the program is ours. }
  PreviousWasShared: Boolean;

const
  ModeLocal = 0;
  ModeShared = 1;
  { The store page's wording, also used on the "Ready to install" page. }
  StorePageTitle = 'Where the records are kept';
  LocalChoice = 'On this computer, in each user''s own data folder (%LOCALAPPDATA%\sendiass-desktop)';
  SharedChoice = 'In a shared network folder';

function StoreDirFromCommandLine(): String;
begin
  Result := Trim(ExpandConstant('{param:STOREDIR|}'));
end;

function LocalStoreFromCommandLine(): Boolean;
var
  I: Integer;
begin
  { /LOCALSTORE: back to each user's own data folder, which /STOREDIR cannot say
    (leaving it out keeps the earlier answer). }
  Result := False;
  for I := 1 to ParamCount() do
    if CompareText(ParamStr(I), '/LOCALSTORE') = 0 then
      Result := True;
end;

function InitializeSetup(): Boolean;
var
  Problem: String;
begin
  { Refused before anything is installed, in the wizard too: there is no sensible way
    to do both. }
  Result := True;
  if LocalStoreFromCommandLine() and (StoreDirFromCommandLine() <> '') then
  begin
    Problem := 'Setup was given both /LOCALSTORE (keep the store in each user''s own data ' +
               'folder on this computer) and /STOREDIR="' + StoreDirFromCommandLine() +
               '" (keep it in that shared network folder). Use one or the other. ' +
               'Setup has stopped; nothing was installed or changed.';
    Log('Conflicting options: ' + Problem);
    SuppressibleMsgBox(Problem, mbCriticalError, MB_OK, IDOK);
    Result := False;
  end;
end;

procedure InitializeWizard();
var
  PreviousMode, PreviousFolder: String;
begin
  StorePage := CreateInputOptionPage(wpSelectDir,
    StorePageTitle,
    'Choose where SENDIASS Desktop keeps its encrypted store.',
    'The store is one encrypted file holding all the service''s records. ' +
    'Keep it on this computer if one person uses it; put it in a shared network ' +
    'folder if several people (or several computers) work on the same records. ' +
    'You can still open another store from within the app.',
    True, False);
  StorePage.Add(LocalChoice);
  StorePage.Add(SharedChoice);

  FolderPage := CreateInputDirPage(StorePage.ID,
    'Shared network folder',
    'Which network folder holds the store?',
    'Choose the folder on the file server, for example \\fileserver\sendiass. ' +
    'Everyone who uses SENDIASS Desktop needs read and write access to it. ' +
    'If the store does not exist yet, the first person to open the app sets it up there.',
    False, '');
  FolderPage.Add('Folder:');

  PreviousMode := GetPreviousData('StoreMode', 'local');
  PreviousFolder := GetPreviousData('StoreFolder', '');
  PreviousWasShared := PreviousMode = 'shared';
  if StoreDirFromCommandLine() <> '' then
  begin
    PreviousMode := 'shared';
    PreviousFolder := StoreDirFromCommandLine();
  end
  else if LocalStoreFromCommandLine() then
    { The previous folder stays filled in, in case the wizard's user goes back to it. }
    PreviousMode := 'local';
  if PreviousMode = 'shared' then
    StorePage.SelectedValueIndex := ModeShared
  else
    StorePage.SelectedValueIndex := ModeLocal;
  FolderPage.Values[0] := PreviousFolder;
end;

procedure RegisterPreviousData(PreviousDataKey: Integer);
begin
  if StorePage.SelectedValueIndex = ModeShared then
    SetPreviousData(PreviousDataKey, 'StoreMode', 'shared')
  else
    SetPreviousData(PreviousDataKey, 'StoreMode', 'local');
  SetPreviousData(PreviousDataKey, 'StoreFolder', FolderPage.Values[0]);
end;

function ShouldSkipPage(PageID: Integer): Boolean;
begin
  { A silent install takes the folder as given (/STOREDIR or the previous install's):
    the folder page's own check would need the share to be reachable while installing,
    which it often is not for a deployment tool running as SYSTEM, and a failed check
    aborts a silent install. The app reports an unreachable store when it starts. }
  Result := (PageID = FolderPage.ID) and
            ((StorePage.SelectedValueIndex <> ModeShared) or WizardSilent());
end;

function IsNetworkLocation(Folder: String): Boolean;
begin
  { A UNC path, or a drive letter other than C: (mapped network drives). The app
    itself checks the drive type and switches to a rollback journal on network
    folders; this is only to catch an obvious slip. }
  Result := Copy(Folder, 1, 2) = '\\';
  if not Result and (Length(Folder) >= 2) then
    Result := (Copy(Folder, 2, 1) = ':') and (UpperCase(Copy(Folder, 1, 1)) <> 'C');
end;

function NextButtonClick(CurPageID: Integer): Boolean;
var
  Folder: String;
begin
  Result := True;
  if CurPageID = FolderPage.ID then
  begin
    Folder := Trim(FolderPage.Values[0]);
    if Folder = '' then
    begin
      SuppressibleMsgBox('Choose the shared folder, or go back and keep the store on this computer.',
                         mbError, MB_OK, IDOK);
      Result := False;
    end
    else if not IsNetworkLocation(Folder) then
      Result := SuppressibleMsgBox('This folder does not look like a network folder. Other ' +
                                   'computers will not be able to reach a store kept here. ' +
                                   'Use it anyway?',
                                   mbConfirmation, MB_YESNO, IDYES) = IDYES;
  end;
end;

function ConfigPath(): String;
begin
  Result := ExpandConstant('{app}\{#ConfigFile}');
end;

function SharedStorePath(): String;
begin
  { The store file in the chosen shared folder: what goes into the .ini. }
  Result := AddBackslash(RemoveBackslashUnlessRoot(Trim(FolderPage.Values[0]))) + '{#StoreFileName}';
end;

procedure AddMemoSection(var Memo: String; Section, NewLine: String);
begin
  if Section <> '' then
  begin
    if Memo <> '' then
      Memo := Memo + NewLine + NewLine;
    Memo := Memo + Section;
  end;
end;

function UpdateReadyMemo(Space, NewLine, MemoUserInfoInfo, MemoDirInfo, MemoTypeInfo,
  MemoComponentsInfo, MemoGroupInfo, MemoTasksInfo: String): String;
var
  Store: String;
begin
  { Inno's usual sections, with the store choice in wizard order (its page follows
    the program folder's). }
  if StorePage.SelectedValueIndex = ModeShared then
    Store := StorePageTitle + ':' + NewLine + Space + SharedChoice + NewLine + Space + SharedStorePath()
  else
    Store := StorePageTitle + ':' + NewLine + Space + LocalChoice;
  Result := '';
  AddMemoSection(Result, MemoUserInfoInfo, NewLine);
  AddMemoSection(Result, MemoDirInfo, NewLine);
  AddMemoSection(Result, Store, NewLine);
  AddMemoSection(Result, MemoTypeInfo, NewLine);
  AddMemoSection(Result, MemoComponentsInfo, NewLine);
  AddMemoSection(Result, MemoGroupInfo, NewLine);
  AddMemoSection(Result, MemoTasksInfo, NewLine);
end;

procedure CurPageChanged(CurPageID: Integer);
begin
  { Setup's log (/LOG) records what the "Ready to install" page says, silent installs
    included (they pass through that page unseen). }
  if CurPageID = wpReady then
    Log('Ready to install page:' + #13#10 + WizardForm.ReadyMemo.Text);
end;

procedure WriteConfig(StorePath: String);
var
  Lines: TArrayOfString;
begin
  { Written as UTF-8 (which install_config.py reads), not with SetIniString: Windows'
    profile functions create a new file in the ANSI code page, so a folder name with a
    character outside it would come out wrong and the app would ignore the file. }
  SetArrayLength(Lines, 4);
  Lines[0] := '; Where SENDIASS Desktop finds the store. Written by the installer;';
  Lines[1] := '; see docs/installing.md. Removed when the program is uninstalled.';
  Lines[2] := '[store]';
  Lines[3] := 'path = ' + StorePath;
  if SaveStringsToUTF8File(ConfigPath(), Lines, False) then
    Log('Store location written to ' + ConfigPath() + ': ' + StorePath)
  else
    SuppressibleMsgBox('Setup could not write ' + ConfigPath() + '. SENDIASS Desktop will ' +
                       'use each user''s own data folder until [store] path = ' + StorePath +
                       ' is written there.', mbError, MB_OK, IDOK);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
  begin
    if StorePage.SelectedValueIndex = ModeShared then
      WriteConfig(SharedStorePath())
    else if FileExists(ConfigPath()) and not PreviousWasShared and
            not LocalStoreFromCommandLine() then
      { Not written by an earlier Setup (that one kept the store on this computer): IT
        may have put it there by hand (docs/installing.md), so it is left alone. }
      Log('Store location left as it is: ' + ConfigPath() + ' was not written by Setup')
    else if FileExists(ConfigPath()) then
    begin
      { Back to the default (chosen in the wizard over a shared folder, or /LOCALSTORE):
        each user's own data folder. The file holds nothing but the store's path. }
      if DeleteFile(ConfigPath()) then
        Log('Store location removed: ' + ConfigPath() + ' deleted (each user''s own data folder)')
      else
        SuppressibleMsgBox('Setup could not delete ' + ConfigPath() + '. SENDIASS Desktop will ' +
                           'keep using the store it names until that file is deleted.',
                           mbError, MB_OK, IDOK);
    end;
  end;
end;
